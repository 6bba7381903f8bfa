"""WSGI entry point."""
from flask_shop import app

if __name__ == "__main__":
    app.run(debug=True)
