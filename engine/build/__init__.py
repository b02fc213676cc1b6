"""Building bundles at the regional office: train, evaluate, export, write the card.

The only part of fieldcast that needs scikit-learn and skl2onnx (the ``build`` extra).
"""
