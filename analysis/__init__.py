"""Analysis of run folders: metrics, the plan's targets, figures and reports.

This package reads solved networks and run folders; it never builds or solves a network.
"""
