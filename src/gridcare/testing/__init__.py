"""Test helpers for gridcare's users: hypothesis strategies and synthetic cities.

Install with the ``testing`` extra (``pip install "gridcare[testing]"``); the
core package never imports this one.
"""
