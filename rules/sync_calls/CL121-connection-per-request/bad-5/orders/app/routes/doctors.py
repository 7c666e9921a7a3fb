from fastapi import APIRouter

from app.clients.inventory import AppointmentService

router = APIRouter()


@router.get("/doctors/{doctor_id}/upcoming")
async def upcoming(doctor_id: str):
    return await AppointmentService().upcoming(doctor_id)
