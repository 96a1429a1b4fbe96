"""dataengine_trainer: SAM-architecture trainer, evaluator and ONNX bundle exporter."""
__version__ = "0.1.0"
