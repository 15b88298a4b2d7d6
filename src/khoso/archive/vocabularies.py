"""The TT 05/2025 controlled vocabularies as seed data (standards.md §2.4), and the Party fonds list.

A data migration loads these rows; afterwards they live in the database and an administrator
edits them in the admin. Nothing else in the code lists these codes.

``partyFonds`` groups the fonds of a Party archive (Phông Lưu trữ Đảng Cộng sản Việt Nam, QĐ 270-QĐ/TW):
Điều 1 and 3 name its makers (the Party's organisations and their predecessors, the socio-political
organisations, historical figures) and seed 003 lists a provincial Party archive's fonds (Tỉnh ủy, Văn
phòng Tỉnh ủy, the ban xây dựng Đảng and Ủy ban Kiểm tra, huyện ủy/thị ủy/thành ủy and đảng ủy trực
thuộc, Báo, Trường Chính trị, Mặt trận and socio-political organisations). QĐ 270's text was read only
in part (standards.md §3.6 [U]), so the groups are data an administrator may correct, never constants.
"""

from __future__ import annotations

SEED: dict[str, list[tuple[str, str, str]]] = {
    "typeName": [
        ("01", "Nghị quyết", "Resolution"),
        ("02", "Quyết định", "Decision"),
        ("03", "Chỉ thị", "Directive"),
        ("04", "Quy chế", "Regulation"),
        ("05", "Quy định", "Rule"),
        ("06", "Thông cáo", "Communiqué"),
        ("07", "Thông báo", "Notice"),
        ("08", "Hướng dẫn", "Guidance"),
        ("09", "Chương trình", "Programme"),
        ("10", "Kế hoạch", "Plan"),
        ("11", "Phương án", "Scheme"),
        ("12", "Đề án", "Project proposal"),
        ("13", "Dự án", "Project"),
        ("14", "Báo cáo", "Report"),
        ("15", "Tờ trình", "Submission"),
        ("16", "Giấy ủy quyền", "Power of attorney"),
        ("17", "Phiếu gửi", "Dispatch slip"),
        ("18", "Phiếu chuyển", "Transfer slip"),
        ("19", "Phiếu báo", "Notification slip"),
        ("20", "Biên bản", "Minutes"),
        ("21", "Hợp đồng", "Contract"),
        ("22", "Công văn", "Official letter"),
        ("23", "Công điện", "Official telegram"),
        ("24", "Bản ghi nhớ", "Memorandum"),
        ("25", "Bản thỏa thuận", "Agreement"),
        ("26", "Giấy mời", "Invitation"),
        ("27", "Giấy giới thiệu", "Letter of introduction"),
        ("28", "Giấy nghỉ phép", "Leave permit"),
        ("29", "Thư công", "Public letter"),
        ("30", "Bản đồ", "Map"),
        ("31", "Bản vẽ kỹ thuật", "Technical drawing"),
        ("32", "Khác", "Other"),
    ],
    "language": [
        ("01", "Tiếng Việt", "Vietnamese"),
        ("02", "Tiếng Anh", "English"),
        ("03", "Tiếng Pháp", "French"),
        ("04", "Tiếng Nga", "Russian"),
        ("05", "Tiếng Trung", "Chinese"),
        ("06", "Việt – Anh", "Vietnamese–English"),
        ("07", "Việt – Nga", "Vietnamese–Russian"),
        ("08", "Việt – Pháp", "Vietnamese–French"),
        ("09", "Hán Nôm", "Han Nom"),
        ("10", "Việt – Trung", "Vietnamese–Chinese"),
        ("11", "Khác", "Other"),
    ],
    "maintenance": [
        ("01", "Vĩnh viễn", "Permanent"),
        ("02", "70 năm", "70 years"),
        ("03", "50 năm", "50 years"),
        ("04", "30 năm", "30 years"),
        ("05", "20 năm", "20 years"),
        ("06", "10 năm", "10 years"),
        ("07", "Khác", "Other"),
    ],
    "mode": [
        ("01", "Công khai", "Public"),
        ("02", "Sử dụng có điều kiện", "Conditional use"),
        ("03", "Mật", "Secret"),
    ],
    "confidenceLevel": [
        ("01", "Gốc điện tử", "Born-digital"),
        ("02", "Số hóa", "Digitized"),
        ("03", "Hỗn hợp", "Mixed"),
    ],
    "format": [("01", "Tốt", "Good"), ("02", "Bình thường", "Normal"), ("03", "Hỏng", "Damaged")],
    "riskRecoveryStatus": [("01", "Đã dự phòng", "Backed up"), ("02", "Chưa dự phòng", "Not backed up")],
    "fondsStatus": [("mo", "Mở", "Open"), ("dong", "Đóng", "Closed")],
    "secretClass": [
        ("tuyet_mat", "Tuyệt mật", "Top secret"),
        ("toi_mat", "Tối mật", "Secret"),
        ("mat", "Mật", "Confidential"),
    ],
    "originalStatus": [
        ("goc", "Bản gốc", "Original"),
        ("chinh", "Bản chính", "Master copy"),
        ("thao", "Bản thảo", "Draft"),
        ("sao_y", "Bản sao y", "True copy"),
        ("sao_luc", "Bản sao lục", "Transcribed copy"),
        ("trich_sao", "Bản trích sao", "Extract copy"),
        ("sao", "Bản sao (chưa rõ hình thức)", "Copy (form not stated)"),
    ],
    "damage": [
        ("mun", "Mủn", "Crumbling"),
        ("gion", "Giòn", "Brittle"),
        ("rach", "Rách", "Torn"),
        ("o", "Ố", "Stained"),
        ("mo_chu", "Mờ chữ", "Faded text"),
    ],
    "province": [
        ("H03", "Bắc Kạn", "Bac Kan"),
        ("H10", "Bình Phước", "Binh Phuoc"),
        ("H15", "Đắk Lắk", "Dak Lak"),
        ("H23", "Hải Dương", "Hai Duong"),
        ("H45", "Phú Yên", "Phu Yen"),
        ("H48", "Quảng Ngãi", "Quang Ngai"),
        ("H49", "Quảng Ninh", "Quang Ninh"),
    ],
    "purpose": [
        ("01", "Cá nhân", "Personal"),
        ("02", "Công vụ", "Official duty"),
        ("03", "Công vụ đặc biệt", "Special official duty"),
    ],
    "feeObjectType": [
        ("01", "Học sinh, sinh viên, nghiên cứu", "Student or researcher"),
        ("02", "Thân nhân liệt sĩ", "Relative of a fallen soldier"),
        ("03", "Thương binh, bệnh binh", "War invalid or sick soldier"),
        ("04", "Người hoạt động kháng chiến", "Resistance veteran"),
        ("05", "Người có công giúp đỡ cách mạng", "Person who helped the revolution"),
        ("06", "Người thờ cúng liệt sĩ", "Keeper of a fallen soldier's worship"),
        ("07", "Người hưởng lương hưu", "Pensioner"),
        ("08", "Mất sức lao động, tai nạn lao động", "Incapacity or work accident"),
        ("09", "Bệnh nghề nghiệp", "Occupational disease"),
        ("10", "Khác", "Other"),
    ],
    "partyFonds": [
        (
            "01",
            "Tổ chức tiền thân của Đảng và của các tổ chức chính trị - xã hội",
            "Predecessor organisations of the Party and of the socio-political organisations",
        ),
        ("02", "Đại hội đảng bộ và cấp ủy cấp tỉnh (tỉnh ủy, thành ủy)", "Provincial Party congresses and committees"),
        ("03", "Văn phòng cấp ủy cấp tỉnh", "Office of the provincial Party committee"),
        (
            "04",
            "Các ban xây dựng Đảng và ủy ban kiểm tra cấp ủy cấp tỉnh",
            "Party-building commissions and inspection committee of the provincial Party committee",
        ),
        ("05", "Đảng đoàn, ban cán sự đảng cấp tỉnh", "Provincial Party delegations and Party affairs committees"),
        (
            "06",
            "Cấp ủy cấp huyện (huyện ủy, thị ủy, thành ủy) và đảng ủy trực thuộc cấp ủy cấp tỉnh",
            "District Party committees and Party committees under the provincial committee",
        ),
        ("07", "Đơn vị sự nghiệp của Đảng (báo Đảng, trường chính trị)", "Party service units (newspaper, school)"),
        (
            "08",
            "Ủy ban Mặt trận Tổ quốc và các tổ chức chính trị - xã hội",
            "Fatherland Front committee and the socio-political organisations",
        ),
        (
            "09",
            "Nhân vật lịch sử, tiêu biểu của Đảng và của các tổ chức chính trị - xã hội",
            "Historical and notable figures of the Party and of the socio-political organisations",
        ),
    ],
}


def load(vocabulary_model) -> None:  # type: ignore[no-untyped-def]
    """Insert the seed rows that are missing; never overwrite an administrator's edits."""
    for kind, rows in SEED.items():
        for position, (code, label_vi, label_en) in enumerate(rows):
            vocabulary_model.objects.get_or_create(
                kind=kind,
                code=code,
                defaults={"label_vi": label_vi, "label_en": label_en, "position": position},
            )
