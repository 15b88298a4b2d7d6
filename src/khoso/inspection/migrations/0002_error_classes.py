"""Seed the error classes of the inspection guideline; an administrator may edit or add to them later."""

from django.db import migrations

#: code, Vietnamese label, English label, severity, step blamed (the worker who completed it), order
ERROR_CLASSES = [
    ("thieu_trang", "Thiếu trang", "Missing page", "nghiem_trong", "SO_HOA", 10),
    ("sai_thu_tu_trang", "Sai thứ tự trang", "Pages out of order", "nhe", "SO_HOA", 20),
    ("anh_mo", "Ảnh mờ, không đọc được", "Blurred or unreadable image", "nghiem_trong", "SO_HOA", 30),
    ("sai_dac_ta", "Sai dữ liệu đặc tả", "Wrong metadata", "nghiem_trong", "NHAP_LIEU", 40),
    (
        "sai_lien_ket",
        "Sai liên kết dữ liệu đặc tả với tệp",
        "Wrong link between metadata and file",
        "nghiem_trong",
        "LIEN_KET",
        50,
    ),
    ("sai_dinh_dang", "Sai định dạng, tệp hỏng", "Wrong format or corrupt file", "nghiem_trong", "SO_HOA", 60),
    ("thieu_ocr", "Thiếu lớp văn bản OCR", "Missing OCR text layer", "nhe", "", 70),
    ("sai_ten_tep", "Sai tên tệp, sai mã", "Wrong file name or code", "nhe", "LIEN_KET", 80),
]


def seed(apps, schema_editor):
    error_class = apps.get_model("inspection", "ErrorClass")
    for code, label, label_en, severity, step, order in ERROR_CLASSES:
        error_class.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "label_en": label_en,
                "severity": severity,
                "responsible_step": step,
                "order": order,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("inspection", "ErrorClass").objects.filter(code__in=[row[0] for row in ERROR_CLASSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspection", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
