"""The FastAPI application."""
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from fastapi_notes.routers import notes

app = FastAPI(debug=True)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
)
app.include_router(notes.router, prefix="/notes")
