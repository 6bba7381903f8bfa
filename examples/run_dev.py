"""Start the development servers (the wrong way)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    """Start both services."""
    subprocess.Popen(["python", "flask_shop/wsgi.py"])
    subprocess.run("uvicorn fastapi_notes/main.py --reload", shell=True)


if __name__ == "__main__":
    main()
