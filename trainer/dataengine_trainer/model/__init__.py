from .config import PRESETS, ModelConfig, config_from_dict
from .sam import SamModel, build_model

__all__ = ["PRESETS", "ModelConfig", "config_from_dict", "SamModel", "build_model"]
