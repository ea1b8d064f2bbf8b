"""Screens and modals of the front desk; each module holds one screen."""
