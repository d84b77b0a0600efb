"""Analyse the as-is process: where time goes, where work loops back, what to improve, KPIs."""
