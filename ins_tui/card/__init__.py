"""Carte Vitale reading over PC/SC, and the virtual cards that let it be tested for real.

The package is import-light on purpose (pyscard is imported only by the modules that
talk to pcscd): the desk and the in-process training source must work, and their tests
run, on a machine without a smart-card stack.
"""
