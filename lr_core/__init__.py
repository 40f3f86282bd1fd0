"""lr_core: the numerical engine of LR Lab (no Streamlit here)."""
