"""Backup and restore of database and objects together (TT 05 Đ27), and insurance copies per fonds."""
