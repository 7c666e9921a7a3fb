import os


class Settings:
    STOCK_TOPIC: str = os.getenv("STOCK_TOPIC", "stock-events")


settings = Settings()
