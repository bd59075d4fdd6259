"""Sillage's errors: one hierarchy for every app.

A ``SillageError`` says what went wrong once, and every place that shows it
reads it from there:

* ``code``, a class attribute: the stable machine code of the JSON error body
  (``{"error": code, "detail": text}``);
* ``status``, a class attribute: the HTTP status of that body;
* a message, a translatable text (``gettext_lazy``) with named parameters
  (``_("must be at most %(limit)s characters")``, ``limit=200``), rendered
  only when shown:

  - ``str(error)`` is English: for logs, management commands and API bodies,
    which programs read;
  - ``error.localized()`` is in the active language: for the pages people read.

The kinds below are what callers catch and what decides the status; each app
declares its own errors on them in its ``errors.py``. Views raise them and do
not build error responses: the API's exception handler
(``core.api_errors.json_exception_handler``) renders them, pages show
``localized()``, and management commands end with ``str()``
(``core.commands.command_errors``).

A status of 500 or more marks a failure of Sillage itself, not a refusal: it
is never rendered as a JSON body or a command's reason, it propagates (and is
logged) like any other bug.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise


def _shown(value: Any) -> Any:
    """A parameter as it is put into a message in the active language."""
    if isinstance(value, Message):
        return value.localized()
    if isinstance(value, Promise):
        return str(value)
    return value


class Message:
    """A translatable text and its named parameters, rendered when shown.

    The parameters may be messages themselves (rendered in the same language),
    which is how a message made of parts is said (``Message.join``).
    """

    __slots__ = ("params", "template")

    def __init__(self, template: Text, /, **params: Any) -> None:
        self.template = template
        self.params: Mapping[str, Any] = params

    @classmethod
    def join(cls, parts: Sequence[Message | Text], separator: str = "; ") -> Message:
        """The parts, each rendered in the active language, with ``separator`` between."""
        names = [f"part{index}" for index in range(len(parts))]
        template = separator.replace("%", "%%").join(f"%({name})s" for name in names)
        return cls(template, **dict(zip(names, parts, strict=True)))

    def localized(self) -> str:
        text = str(self.template)
        if not self.params:
            return text
        return text % {name: _shown(value) for name, value in self.params.items()}

    def __str__(self) -> str:
        with translation.override("en"):
            return self.localized()

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return str(self.template) == str(other.template) and dict(self.params) == dict(other.params)

    def __hash__(self) -> int:
        return hash(str(self.template))


def _rebuilt(cls: type[SillageError], state: dict[str, Any]) -> SillageError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, state.get("message"))
    return error


class SillageError(Exception):
    """Base of every error Sillage raises on purpose (see the module's docstring)."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500
    default_message: ClassVar[Text] = _("Something went wrong on our side.")
    # The JSON body's detail is English (str()), whatever the request's language,
    # unless an error class sets this: then it follows the request's language.
    localized_in_api: ClassVar[bool] = False

    def __init__(self, message: Text | Message | None = None, /, **params: Any) -> None:
        if isinstance(message, Message):
            params = {**message.params, **params}
            message = message.template
        self.message: Text = self.default_message if message is None else message
        self.params: dict[str, Any] = params
        super().__init__(self.message)

    @property
    def text(self) -> Message:
        """The message with its parameters, not yet rendered."""
        return Message(self.message, **self.params)

    def localized(self) -> str:
        """The message in the active language, for a page."""
        return self.text.localized()

    def __str__(self) -> str:
        """The message in English, for logs, commands and API bodies."""
        return str(self.text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments than the message: rebuild from the state.
        return (_rebuilt, (type(self), dict(self.__dict__)))


class InvalidInput(SillageError):
    """The request or the data is not acceptable as it is. ``field`` names the
    culprit when there is one: ``str()`` then reads ``"<field>: <message>"``,
    while ``localized()`` is the message alone, for a page that shows it next
    to the field."""

    code = "invalid_request"
    status = 400
    default_message = _("The request is not valid.")

    def __init__(self, message: Text | Message | None = None, /, *, field: str = "",
                 **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.field}: {text}" if self.field else text


class Unauthorized(SillageError):
    """No valid credentials (the API adds the view's ``WWW-Authenticate`` challenge)."""

    code = "invalid_token"
    status = 401
    default_message = _("Valid credentials are required.")


class Forbidden(SillageError):
    """Known caller, but this is not allowed to them."""

    code = "forbidden"
    status = 403
    default_message = _("This is not allowed.")


class NotFound(SillageError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(SillageError):
    """The request contradicts the current state (a reused key, an existing name)."""

    code = "conflict"
    status = 409
    default_message = _("This conflicts with the current state.")


class TooLarge(SillageError):
    code = "too_large"
    status = 413
    default_message = _("This is too large.")


class UnsupportedMediaType(SillageError):
    code = "unsupported_media_type"
    status = 415
    default_message = _("This media type is not supported.")


class RateLimited(SillageError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests: try again later.")


# --- JSON input (core.json_input) ----------------------------------------------------


class JsonMalformed(InvalidInput):
    """Not a JSON document: a syntax error (``line`` says where), bytes that are
    not UTF-8, a non-standard constant (NaN, Infinity), a number too long to read."""

    default_message = _("not valid JSON")

    def __init__(self, message: Text | Message | None = None, /, *, line: int | None = None,
                 **params: Any) -> None:
        super().__init__(message, **params)
        self.line = line


class JsonTooDeep(InvalidInput):
    """Arrays and objects nested deeper than the reader accepts (``limit``)."""

    default_message = _("nested more than %(limit)s levels deep")

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit)
        self.limit = limit


class JsonTextInvalid(InvalidInput):
    """A string (a value, or a name in an object) that is not Unicode text: a
    lone surrogate escape such as ``"\\ud800"``, which no UTF-8 text can hold.
    ``path`` is where it is: the names and indices from the top, the name
    itself being left out when the bad string is a name."""

    default_message = _("must be Unicode text (a lone surrogate is not)")

    def __init__(self, path: tuple[str | int, ...]) -> None:
        super().__init__(field=".".join(str(part) for part in path))
        self.path = path
