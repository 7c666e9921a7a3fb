import json

from pipeline.registry import registry_up


def collect() -> dict:
    return {"registry_ok": registry_up()}


def main() -> None:
    print(json.dumps(collect()))


if __name__ == "__main__":
    main()
