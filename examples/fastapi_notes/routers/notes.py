"""Notes endpoints."""
import os

from fastapi import APIRouter, Depends, File, UploadFile
from sqlalchemy.orm import Session

from fastapi_notes.schemas import UserCreate, UserOut

router = APIRouter()
UPLOAD_DIR = "/srv/uploads"


def get_db():
    """Yield a database session."""
    yield None


@router.post("/register", response_model=UserOut)
async def register(user: UserCreate, db: Session = Depends(get_db)):
    """Create an account."""
    db.add(user)
    db.commit()
    return user


@router.post("/import")
async def import_notes(payload: dict):
    """Import notes from another service."""
    return {"imported": len(payload)}


@router.post("/attachments")
async def upload(file: UploadFile = File(...)):
    """Store an attachment."""
    with open(os.path.join(UPLOAD_DIR, file.filename), "wb") as out:
        out.write(await file.read())
    return {"stored": file.filename}
