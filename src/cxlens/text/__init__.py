"""text/ — sentiment, themes, feature requests and key drivers over stored texts (DESIGN.md §3).

Pure functions and models over lists of texts (:class:`SentimentModel`, :class:`ThemeModel`,
:func:`detect_languages`, :func:`is_feature_request`, :func:`relative_weights`), and their use
on the store (:func:`analyze`, :func:`themes`, :func:`feature_requests`, :func:`key_drivers`,
:func:`text_spikes`). Nothing is downloaded at run time.
"""

from .analysis import (
    AnalyzeSummary,
    RequestGroup,
    ThemeSummary,
    analyze,
    feature_requests,
    fit_sentiment,
    fit_themes,
    merge_themes,
    pin_theme,
    rename_theme,
    themes,
)
from .drivers import Driver, DriverResult, Spike, relative_weights, spikes
from .findings import key_drivers, text_spikes
from .language import detect_language, detect_languages
from .requests import group_requests, is_feature_request
from .sentiment import Evaluation, Predictions, Sentiment, SentimentModel, labels_from_scores, vader_predict
from .theme_admin import ignore_theme, taxonomy_themes
from .themes import Theme, ThemeModel

__all__ = [
    "AnalyzeSummary",
    "Driver",
    "DriverResult",
    "Evaluation",
    "Predictions",
    "RequestGroup",
    "Sentiment",
    "SentimentModel",
    "Spike",
    "Theme",
    "ThemeModel",
    "ThemeSummary",
    "analyze",
    "detect_language",
    "detect_languages",
    "feature_requests",
    "fit_sentiment",
    "fit_themes",
    "group_requests",
    "ignore_theme",
    "is_feature_request",
    "key_drivers",
    "labels_from_scores",
    "merge_themes",
    "pin_theme",
    "relative_weights",
    "rename_theme",
    "spikes",
    "taxonomy_themes",
    "text_spikes",
    "themes",
    "vader_predict",
]
