from pipeline.registry import ensure_registered, registry_up


def main() -> None:
    print(f"registry up: {registry_up()}")
    for line in ensure_registered():
        print(line)


if __name__ == "__main__":
    main()
