import json
from pathlib import Path

from django.core.management.base import BaseCommand


def openapi_text() -> str:
    from config.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ to a file (docs/openapi.json is committed)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="docs/openapi.json")

    def handle(self, *args, **options):
        Path(options["path"]).write_text(openapi_text(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"OpenAPI written to {options['path']}"))
