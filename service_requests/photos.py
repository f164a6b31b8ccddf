"""Report photos: checked by content (never by file name or extension), re-encoded as JPEG with
no metadata at all (EXIF, GPS position, ICC, XMP, comments), downsized, thumbnailed, and stored
through Django's storage API.

    processed = process_photo(request.FILES["photo"])    # raises ValidationError
    image_name, thumbnail_name = save_photo(processed)   # default_storage, reports/YYYY/MM/

Every rejection is a ``ValidationError`` with a translatable message and a ``code``:
``empty``, ``too_large``, ``not_an_image``, ``too_many_pixels``.
"""
import posixpath
import uuid
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Formats Pillow may even try to parse: anything else is "not an image" (no PDF, EPS, TIFF...).
FORMATS = ("JPEG", "PNG", "WEBP")
# Largest decoded image: 40 megapixels is above any phone camera (about 160 MB decoded as RGBA).
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
WHITE = (255, 255, 255)


def max_bytes() -> int:
    """Largest photo accepted, in bytes: ``settings.GUICHET_PHOTO_MAX_BYTES``, read now."""
    return settings.GUICHET_PHOTO_MAX_BYTES


def __getattr__(name):
    # ``photos.MAX_BYTES`` reads the setting at access time (so tests can override it). Note that
    # ``from service_requests.photos import MAX_BYTES`` freezes the value: prefer max_bytes().
    if name == "MAX_BYTES":
        return max_bytes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class ProcessedPhoto:
    """A clean JPEG and its thumbnail, named ``<uuid>.jpg`` and ``<uuid>-thumb.jpg``."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def process_photo(upload) -> ProcessedPhoto:
    """Check, clean and re-encode an uploaded photo.

    ``upload`` is a Django ``UploadedFile`` or any file-like object with ``size``, ``read`` and
    ``seek`` (its name and content type are ignored). Raise ``ValidationError`` when the file is
    empty, too large (checked before any decoding), not a JPEG, PNG or WEBP image, truncated or
    corrupt, or too many pixels (a decompression bomb).
    """
    data = read_limited(upload, max_bytes())
    image = ImageOps.exif_transpose(open_image(data))  # orientation kept, EXIF dropped below
    image = to_rgb(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        image=ContentFile(encode_jpeg(image, JPEG_QUALITY), name=f"{stem}.jpg"),
        thumbnail=ContentFile(encode_jpeg(thumbnail, THUMBNAIL_QUALITY), name=f"{stem}-thumb.jpg"),
        width=image.width,
        height=image.height,
    )


def save_photo(processed: ProcessedPhoto, *, storage=None, folder="reports") -> tuple[str, str]:
    """Store the photo and its thumbnail under ``folder/YYYY/MM/`` (local date) through Django's
    storage API (``default_storage`` unless ``storage`` is given). Return the two stored names;
    if the thumbnail cannot be stored, the photo is deleted again."""
    storage = storage or default_storage
    today = timezone.localdate()
    directory = posixpath.join(folder, f"{today:%Y}", f"{today:%m}")
    image_name = storage.save(posixpath.join(directory, processed.image.name), processed.image)
    try:
        thumbnail_name = storage.save(
            posixpath.join(directory, processed.thumbnail.name), processed.thumbnail
        )
    except Exception:
        storage.delete(image_name)
        raise
    return image_name, thumbnail_name


def read_limited(upload, limit: int) -> bytes:
    """The upload's bytes, refusing more than ``limit``: the declared size is checked first, then
    at most ``limit + 1`` bytes are read (a declared size can be wrong)."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_large(limit)
    upload.seek(0)
    data = read_at_most(upload, limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    if not data:
        raise ValidationError(_("The photo is empty."), code="empty")
    return data


def read_at_most(stream, count: int) -> bytes:
    """Up to ``count`` bytes from ``stream`` (a short read is not taken for the end)."""
    buffer = bytearray()
    while len(buffer) < count:
        chunk = stream.read(count - len(buffer))
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def open_image(data: bytes) -> Image.Image:
    """Decode ``data`` as JPEG, PNG or WEBP, checking the pixel count from the header before
    decoding anything, then the whole file (``verify()``, then ``load()`` on a fresh open)."""
    try:
        with Image.open(BytesIO(data), formats=FORMATS) as probe:
            check_pixels(probe)
            probe.verify()
        image = Image.open(BytesIO(data), formats=FORMATS)
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale when it can
        image.load()
    except Image.DecompressionBombError as error:
        raise too_many_pixels() from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # UnidentifiedImageError (an OSError), truncated data, broken chunks or CRCs...
        raise ValidationError(
            _("This file is not a photo we can read. Send a JPEG, PNG or WEBP image."),
            code="not_an_image",
        ) from error
    return image


def check_pixels(image: Image.Image) -> None:
    """Refuse an image declaring more than MAX_PIXELS, from its header alone.

    Pillow's own guard (``Image.MAX_IMAGE_PIXELS``, a process-wide setting) only warns below about
    89 megapixels; this check is stricter and changes no global state (no warnings filter).
    """
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise too_many_pixels()


def to_rgb(image: Image.Image) -> Image.Image:
    """An RGB copy with an empty ``info`` (no EXIF, ICC, XMP, comment carried to the encoder);
    transparent areas become white, not black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        rgb = Image.new("RGB", rgba.size, WHITE)
        rgb.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode.startswith("I"):
        # 16/32-bit greyscale: scale down to 8 bits (a plain convert would clip to white).
        rgb = image.point(lambda value: value / 256).convert("L").convert("RGB")
    else:
        rgb = image.convert("RGB")
    rgb.info = {}
    return rgb


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    """JPEG bytes of ``image``, with no metadata segment of any kind."""
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("This photo is too large: the limit is %(limit)s."),
        code="too_large",
        params={"limit": filesizeformat(limit)},
    )


def too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This image has too many pixels (at most %(megapixels)s megapixels)."),
        code="too_many_pixels",
        params={"megapixels": MAX_PIXELS // 1_000_000},
    )
