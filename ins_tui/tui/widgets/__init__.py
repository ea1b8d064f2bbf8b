"""Reusable widgets of the front desk; each module holds one widget."""
