"""JSON shapes of the QLVB endpoint, for the OpenAPI schema and the ingest log.

Records are read by :mod:`khoso.qlvb.records` (every broken rule at once, NĐ 30 element names), so the
record serializer here only documents the input; the result and log serializers also render.
"""

from __future__ import annotations

from rest_framework import serializers

from khoso.qlvb.models import IngestRecord


class FileInSerializer(serializers.Serializer):
    Name = serializers.CharField(help_text="Tên tệp / file name (≤ 255)")
    Sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="SHA-256 của tệp, 64 ký tự hệ 16 / hex digest")
    Content = serializers.CharField(required=False, help_text="Nội dung tệp, base64 / file bytes in base64")
    Part = serializers.CharField(
        required=False, help_text="Hoặc tên phần multipart chứa tệp / or the multipart part holding the file"
    )


class SignerSerializer(serializers.Serializer):
    Position = serializers.CharField(max_length=100, required=False)
    FullName = serializers.CharField(max_length=50, required=False)


class RecordInSerializer(serializers.Serializer):
    """One document, with the NĐ 30/2020 Phụ lục VI input fields (TT 05 camelCase names also accepted)."""

    DocId = serializers.CharField(max_length=100, help_text="Mã định danh văn bản trong hệ thống QLVB (khóa lũy đẳng)")
    FileCode = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Mã hồ sơ trong Danh mục hồ sơ (hoặc OrganId + FileCatalog + FileNotation)",
    )
    OrganId = serializers.CharField(max_length=35, required=False)
    FileCatalog = serializers.IntegerField(required=False)
    FileNotation = serializers.CharField(max_length=20, required=False)
    DocOrdinal = serializers.IntegerField(required=False, help_text="Bỏ trống: hệ thống tự đánh số")
    TypeName = serializers.CharField(help_text="Mã TT 05 (01–32) hoặc tên loại (vd. «Quyết định»)")
    CodeNumber = serializers.CharField(max_length=11, required=False)
    CodeNotation = serializers.CharField(max_length=30, required=False)
    IssuedDate = serializers.CharField(help_text="DD/MM/YYYY")
    OrganName = serializers.CharField(max_length=200)
    Subject = serializers.CharField(max_length=500)
    Language = serializers.CharField(required=False, help_text="01–11, nhiều mã cách nhau bằng dấu phẩy")
    PageAmount = serializers.IntegerField(required=False, help_text="Bỏ trống: đếm theo tệp")
    Description = serializers.CharField(max_length=500, required=False)
    Mode = serializers.CharField(required=False, help_text="01/02/03; mặc định theo hồ sơ")
    Maintenance = serializers.CharField(required=False, help_text="01–07; mặc định theo hồ sơ")
    ConfidenceLevel = serializers.CharField(required=False, help_text="01 gốc điện tử (mặc định), 02, 03")
    Process = serializers.IntegerField(required=False, help_text="1/0; bắt buộc khi ConfidenceLevel 01 hoặc 03")
    InforSign = serializers.CharField(max_length=30, required=False)
    Keyword = serializers.CharField(max_length=100, required=False)
    Autograph = serializers.CharField(max_length=2000, required=False)
    Format = serializers.CharField(required=False)
    RiskRecovery = serializers.IntegerField(required=False)
    RiskRecoveryStatus = serializers.CharField(required=False)
    SecretClass = serializers.CharField(required=False)
    OriginalStatus = serializers.CharField(required=False)
    SignerInfo = SignerSerializer(required=False)
    To = serializers.JSONField(required=False)
    Priority = serializers.IntegerField(required=False)
    IssuedAmount = serializers.IntegerField(required=False)
    DueDate = serializers.CharField(required=False, help_text="DD/MM/YYYY")
    ArrivalDate = serializers.CharField(required=False, help_text="DD/MM/YYYY")
    ArrivalNumber = serializers.IntegerField(required=False)
    ToPlaces = serializers.CharField(max_length=1000, required=False)
    TraceHeaderList = serializers.JSONField(required=False)
    Files = FileInSerializer(many=True)


class BatchInSerializer(serializers.Serializer):
    records = RecordInSerializer(many=True, help_text="Tối đa 100 bản ghi / at most 100 records")


class MultipartInSerializer(serializers.Serializer):
    metadata = serializers.CharField(help_text='JSON: một bản ghi hoặc {"records": [...]} / one record or a batch')
    file = serializers.FileField(required=False, help_text="Các phần tệp, tên phần = trường Part / file parts")


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()
    message_en = serializers.CharField()


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    docId = serializers.CharField()
    docCode = serializers.CharField()
    ordinal = serializers.IntegerField()


class RecordResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=IngestRecord.Result.choices)
    httpStatus = serializers.IntegerField()
    DocId = serializers.CharField()
    OrganId = serializers.CharField()
    FileCode = serializers.CharField()
    document = DocumentRefSerializer(allow_null=True)
    errors = ProblemSerializer(many=True)
    files = serializers.ListField(child=serializers.DictField())
    ingestRecord = serializers.IntegerField(allow_null=True)


class SummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()


class BatchResultSerializer(serializers.Serializer):
    summary = SummarySerializer()
    results = RecordResultSerializer(many=True)


class IngestRecordSerializer(serializers.ModelSerializer):
    DocId = serializers.CharField(source="external_id")
    OrganId = serializers.CharField(source="organ_id")
    FileCode = serializers.CharField(source="file_code")
    contentDigest = serializers.CharField(source="content_digest")
    fileDigests = serializers.ListField(source="file_digests", child=serializers.CharField())
    docCode = serializers.SerializerMethodField()
    sentBy = serializers.SerializerMethodField()
    sentAt = serializers.DateTimeField(source="sent_at")
    requestId = serializers.CharField(source="request_id")

    class Meta:
        model = IngestRecord
        fields = [
            "id",
            "DocId",
            "OrganId",
            "FileCode",
            "result",
            "contentDigest",
            "fileDigests",
            "errors",
            "docCode",
            "sentBy",
            "sentAt",
            "requestId",
        ]

    def get_docCode(self, record: IngestRecord) -> str | None:  # noqa: N802  (JSON field name)
        return record.document.doc_code if record.document else None

    def get_sentBy(self, record: IngestRecord) -> str | None:  # noqa: N802
        return record.sent_by.get_username() if record.sent_by else None
