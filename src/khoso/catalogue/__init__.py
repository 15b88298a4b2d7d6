"""Import and export of existing catalogues (mục lục hồ sơ, mục lục văn bản) from and to XLSX and CSV."""
