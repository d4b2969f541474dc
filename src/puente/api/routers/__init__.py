"""Routers, one module per area; add yours to ``ROUTERS``."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
