"""Imaging: per-page image quality control (TT 05 resolution, colour depth, blank, skew, blur)."""
