"""drf-spectacular extensions: how the OpenAPI schema describes our token authentication."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

#: names for the choice sets that share a field name (``kind``, ``status``); settings.SPECTACULAR_SETTINGS
#: ["ENUM_NAME_OVERRIDES"] must hold these so the schema validates without warnings.
ENUM_NAME_OVERRIDES = {
    "ArchiveFileKindEnum": "khoso.archive.models.ArchiveFile.Kind",
    "ReaderRequestKindEnum": "khoso.readers.models.ReaderRequest.Kind",
    "FondsStatusEnum": "khoso.archive.models.Fonds.Status",
    "ReaderRequestStatusEnum": "khoso.readers.models.ReaderRequest.Status",
    "IngestResultEnum": "khoso.qlvb.models.IngestRecord.Result",
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "khoso.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "«Token <khóa>» hoặc «Bearer <khóa>» (khoso api-token create) / 'Token <key>' or 'Bearer <key>'"
            ),
        }
