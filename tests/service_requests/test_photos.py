"""Report photos: what a citizen's upload becomes (or why it is refused), what is stored, and the
upload cap that stops an oversized request while it streams in."""
import random
import re
import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone, translation
from PIL import Image

from service_requests import photos
from service_requests.photos import ProcessedPhoto, process_photo, save_photo
from service_requests.uploads import MaxSizeUploadHandler, limit_upload_size, max_upload_bytes

RED, BLUE = (255, 0, 0), (0, 0, 255)
SECRET_NAME = "Jean Tremblay 123 rue des Pins.jpg"


# --- building inputs ----------------------------------------------------------------------------

def image_bytes(image, fmt, **options):
    buffer = BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def noisy(size, mode="RGB"):
    """An image that does not compress: its encoded size is close to its pixel count."""
    rng = random.Random(size[0] * size[1])
    channels = len(Image.new(mode, (1, 1)).getbands())
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * channels))


def gps_photo():
    """A 40x20 JPEG (left half red, right half blue) as a phone takes it held upright: pixels
    stored sideways with Orientation 6, GPS position, camera make, ICC profile, XMP, comment."""
    image = Image.new("RGB", (40, 20), BLUE)
    image.paste(RED, (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (45.0, 23.0, 10.5), 3: "W", 4: (73.0, 59.0, 1.25)})
    return image_bytes(
        image, "JPEG", quality=95, exif=exif, icc_profile=b"\0" * 200,
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>45.3862 -73.9836</x:xmpmeta>",
        comment=b"123 rue des Pins",
    )


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(
        ">I", zlib.crc32(kind + payload)
    )


def png_bomb(width, height):
    """A valid one-bit black PNG of width x height: a few kilobytes holding gigapixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def jpeg_segments(data):
    """The marker bytes of a JPEG's header segments, up to the image data (SOS)."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        position += 2 + length


def decoded(content_file):
    content_file.seek(0)
    image = Image.open(BytesIO(content_file.read()))
    image.load()
    return image


def rejection(data, name="photo.jpg"):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        process_photo(upload(data, name))
    return caught.value


# --- metadata and orientation -------------------------------------------------------------------

def test_the_input_really_carries_gps_and_orientation():
    source = Image.open(BytesIO(gps_photo()))
    assert source.getexif()[0x0112] == 6
    assert source.getexif().get_ifd(0x8825)[2] == (45.0, 23.0, 10.5)
    assert "icc_profile" in source.info and "comment" in source.info


def test_exif_gps_icc_xmp_and_comment_are_all_stripped():
    processed = process_photo(upload(gps_photo()))
    for content_file in (processed.image, processed.thumbnail):
        content_file.seek(0)
        data = content_file.read()
        image = Image.open(BytesIO(data))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
        for needle in (b"Exif", b"GPS", b"PhoneMaker", b"ICC_PROFILE", b"xmpmeta", b"rue des"):
            assert needle not in data
        # Only JFIF (APP0), quantization/Huffman tables and frame headers: no APP1-15, no COM.
        assert set(jpeg_segments(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}


def test_orientation_is_applied_before_the_exif_is_dropped():
    image = decoded(process_photo(upload(gps_photo())).image)
    assert image.size == (20, 40)  # stored 40x20 sideways, shown upright: taller than wide
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60  # the stored left (red) half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


# --- accepted formats ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG"])
def test_png_webp_and_jpeg_are_accepted_and_become_jpeg(fmt):
    data = image_bytes(Image.new("RGB", (64, 48), (10, 120, 30)), fmt)
    processed = process_photo(upload(data, name="photo.png"))
    image = decoded(processed.image)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (64, 48))
    assert (processed.width, processed.height) == (64, 48)
    assert decoded(processed.thumbnail).format == "JPEG"


def transparent(mode):
    """32x32, left half opaque red (grey for LA), right half fully transparent."""
    if mode == "P":
        image = Image.new("P", (32, 32), 0)
        image.putpalette([0, 0, 0, 255, 0, 0])
        image.paste(1, (0, 0, 16, 32))
        image.info["transparency"] = 0
        return image
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 16, 32))
    return image.convert(mode)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
@pytest.mark.parametrize("mode", ["RGBA", "P", "LA"])
def test_transparent_images_become_rgb_on_white(fmt, mode):
    data = image_bytes(transparent(mode), fmt)
    image = decoded(process_photo(upload(data)).image)
    assert image.mode == "RGB"
    assert min(image.getpixel((28, 16))) > 240  # transparent: white, not black
    left = image.getpixel((4, 16))
    if mode == "LA":
        assert max(left) < 120  # red as grey: dark, opaque
    else:
        assert left[0] > 200 and left[1] < 60


@pytest.mark.parametrize("mode", ["L", "1", "I;16"])
def test_greyscale_and_16_bit_pngs_are_converted(mode):
    source = Image.new("I", (32, 32), 0) if mode == "I;16" else Image.new(mode, (32, 32), 0)
    if mode == "I;16":
        source.paste(65535, (16, 0, 32, 32))
        source = source.convert("I;16")
    else:
        source.paste(255 if mode == "L" else 1, (16, 0, 32, 32))
    image = decoded(process_photo(upload(image_bytes(source, "PNG"))).image)
    assert image.mode == "RGB"
    assert max(image.getpixel((4, 16))) < 20 and min(image.getpixel((28, 16))) > 235


def test_cmyk_jpeg_is_converted():
    data = image_bytes(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG")
    red = decoded(process_photo(upload(data)).image).getpixel((16, 16))
    assert red[0] > 200 and red[1] < 60 and red[2] < 60


# --- refused files ------------------------------------------------------------------------------

def test_pdf_renamed_jpg_is_not_an_image():
    pdf = image_bytes(Image.new("RGB", (64, 64), "white"), "PDF")
    assert pdf.startswith(b"%PDF")
    error = rejection(pdf, name="photo.jpg")
    assert error.code == "not_an_image"
    assert "JPEG, PNG or WEBP" in error.messages[0]


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_other_image_formats_are_refused_by_content(fmt):
    data = image_bytes(Image.new("RGB", (32, 32), "green"), fmt)
    assert rejection(data, name="photo.jpg").code == "not_an_image"


def test_random_bytes_are_not_an_image():
    data = random.Random(1).randbytes(5000)
    assert rejection(data).code == "not_an_image"


def test_truncated_jpeg_is_not_an_image():
    data = image_bytes(noisy((200, 200)), "JPEG", quality=90)
    assert rejection(data[: len(data) // 2]).code == "not_an_image"


def test_png_with_a_corrupt_chunk_is_caught_by_verify():
    data = bytearray(image_bytes(noisy((64, 64)), "PNG"))
    data[200] ^= 0xFF  # inside IDAT: the chunk's CRC no longer matches
    assert rejection(bytes(data)).code == "not_an_image"


def test_empty_file():
    assert rejection(b"").code == "empty"


def test_a_file_over_the_limit_is_refused_before_decoding(settings, monkeypatch):
    settings.GUICHET_PHOTO_MAX_BYTES = 50_000
    data = image_bytes(noisy((200, 200)), "PNG")[:60_000]
    assert len(data) == 60_000

    def must_not_decode(*args, **kwargs):
        raise AssertionError("decoded a file over the size limit")

    monkeypatch.setattr(photos.Image, "open", must_not_decode)
    error = rejection(data)
    assert error.code == "too_large"
    with translation.override("en"):
        assert filesizeformat(50_000) in error.messages[0]  # "48.8 KB"


class LyingUpload(BytesIO):
    """A file-like upload declaring 100 bytes, recording how much it is asked to read."""

    size = 100
    name = "photo.jpg"

    def __init__(self, data):
        super().__init__(data)
        self.requested = 0

    def read(self, count=-1):
        self.requested += count if count >= 0 else 10**9
        return super().read(count)


def test_a_wrong_declared_size_is_not_trusted(settings):
    settings.GUICHET_PHOTO_MAX_BYTES = 50_000
    lying = LyingUpload(b"\xff\xd8" + b"\0" * 5_000_000)
    with pytest.raises(ValidationError) as caught:
        process_photo(lying)
    assert caught.value.code == "too_large"
    assert lying.requested == 50_001


def test_the_limit_is_inclusive_and_read_at_call_time(settings):
    data = image_bytes(Image.new("RGB", (64, 48), "green"), "JPEG")
    settings.GUICHET_PHOTO_MAX_BYTES = len(data)
    assert photos.MAX_BYTES == photos.max_bytes() == len(data)
    assert process_photo(upload(data)).width == 64
    settings.GUICHET_PHOTO_MAX_BYTES = len(data) - 1
    assert rejection(data).code == "too_large"


@pytest.mark.parametrize("size", [(7000, 7000), (20000, 20000)])
def test_decompression_bomb_is_refused(size):
    # 49 megapixels: over the photos' own cap; 400: over Pillow's hard limit too.
    bomb = png_bomb(*size)
    assert len(bomb) < 100_000
    error = rejection(bomb, name="photo.png")
    assert error.code == "too_many_pixels"
    assert "40" in error.messages[0]


# --- sizes --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "size, expected", [((4000, 3000), (2048, 1536)), ((3000, 4000), (1536, 2048))]
)
def test_big_photo_is_downsized_with_a_thumbnail(size, expected):
    data = image_bytes(Image.new("RGB", size, (200, 180, 20)), "JPEG")
    processed = process_photo(upload(data))
    assert decoded(processed.image).size == expected == (processed.width, processed.height)
    thumbnail = decoded(processed.thumbnail).size
    assert thumbnail == ((320, 240) if size[0] > size[1] else (240, 320))


def test_small_photo_is_not_enlarged():
    processed = process_photo(upload(image_bytes(Image.new("RGB", (300, 200)), "PNG")))
    assert decoded(processed.image).size == (300, 200)
    assert decoded(processed.thumbnail).size == (300, 200)


# --- names and storage --------------------------------------------------------------------------

def test_names_are_random_never_the_uploaders():
    data = image_bytes(Image.new("RGB", (64, 48)), "JPEG")
    first = process_photo(upload(data, name=SECRET_NAME))
    second = process_photo(upload(data, name=SECRET_NAME))
    stem = first.image.name.removesuffix(".jpg")
    assert re.fullmatch(r"[0-9a-f]{32}", stem)
    assert first.thumbnail.name == f"{stem}-thumb.jpg"
    assert second.image.name != first.image.name


def test_save_photo_stores_both_files_under_the_month(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    processed = process_photo(upload(gps_photo(), name=SECRET_NAME))
    image_name, thumbnail_name = save_photo(processed, storage=storage)
    today = timezone.localdate()
    stem = processed.image.name.removesuffix(".jpg")
    assert image_name == f"reports/{today:%Y}/{today:%m}/{stem}.jpg"
    assert thumbnail_name == f"reports/{today:%Y}/{today:%m}/{stem}-thumb.jpg"
    for name in (image_name, thumbnail_name):
        assert "Tremblay" not in name and "Pins" not in name
        with storage.open(name) as stored:
            assert Image.open(stored).format == "JPEG"
    stored_files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jpg"))
    assert stored_files == sorted([image_name, thumbnail_name])
    processed.image.seek(0)
    assert (tmp_path / image_name).read_bytes() == processed.image.read()


def test_save_photo_uses_default_storage_and_folder(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    processed = process_photo(upload(image_bytes(Image.new("RGB", (64, 48)), "PNG")))
    image_name, thumbnail_name = save_photo(processed, folder="staff/photos")
    assert image_name.startswith("staff/photos/")
    assert default_storage.exists(image_name) and (tmp_path / thumbnail_name).is_file()


class FailingSecondSave(FileSystemStorage):
    saves = 0

    def _save(self, name, content):
        self.saves += 1
        if self.saves == 2:
            raise OSError("disk full")
        return super()._save(name, content)


def test_no_photo_is_left_without_its_thumbnail(tmp_path):
    storage = FailingSecondSave(location=tmp_path)
    processed = process_photo(upload(image_bytes(Image.new("RGB", (64, 48)), "PNG")))
    with pytest.raises(OSError):
        save_photo(processed, storage=storage)
    assert list(tmp_path.rglob("*.jpg")) == []


def test_processed_photo_is_a_plain_dataclass():
    processed = process_photo(upload(image_bytes(Image.new("RGB", (10, 10)), "PNG")))
    assert isinstance(processed, ProcessedPhoto)
    with pytest.raises(AttributeError):
        processed.width = 5


# --- the upload cap, through a real request -----------------------------------------------------

@limit_upload_size
def photo_view(request):
    """What a report view does: refuse an oversized upload clearly, else check and store."""
    if request.upload_too_large:
        return JsonResponse({"error": "too large", "files": sorted(request.FILES)}, status=413)
    try:
        processed = process_photo(request.FILES["photo"])
    except ValidationError as error:
        return JsonResponse({"error": error.messages, "code": error.code}, status=400)
    return JsonResponse({"names": save_photo(processed)})


urlpatterns = [path("photo/", photo_view)]


@pytest.fixture
def upload_settings(settings, tmp_path):
    """Small limits; every uploaded file goes to a temporary file in tmp_path/uploads."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000
    settings.GUICHET_UPLOAD_MAX_BYTES = 20_000
    (tmp_path / "uploads").mkdir()
    return settings


def files_under(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.urls(__name__)
def test_an_oversized_request_is_stopped_and_reported(client, upload_settings, tmp_path):
    big = image_bytes(noisy((200, 200)), "PNG")[:60_000]
    response = client.post("/photo/", {"note": "nid-de-poule", "photo": upload(big)})
    assert response.status_code == 413
    assert response.json() == {"error": "too large", "files": []}
    assert files_under(tmp_path / "uploads") == [] and files_under(tmp_path / "media") == []


@pytest.mark.urls(__name__)
def test_a_request_under_the_limit_goes_through(client, upload_settings, tmp_path):
    response = client.post("/photo/", {"photo": upload(gps_photo(), name=SECRET_NAME)})
    assert response.status_code == 200
    names = response.json()["names"]
    assert len(files_under(tmp_path / "media")) == 2
    assert all("Tremblay" not in name for name in names)
    assert files_under(tmp_path / "uploads") == []


@pytest.mark.urls(__name__)
def test_a_pdf_through_the_view_gets_a_clear_error(client, upload_settings):
    pdf = image_bytes(Image.new("RGB", (64, 64), "white"), "PDF")
    with translation.override("en"):
        response = client.post("/photo/", {"photo": upload(pdf, name="photo.jpg")})
    assert response.status_code == 400
    assert response.json()["code"] == "not_an_image"


@pytest.mark.urls(__name__)
def test_csrf_is_still_checked(upload_settings):
    client = Client(enforce_csrf_checks=True)
    small = image_bytes(Image.new("RGB", (64, 48)), "JPEG")
    assert client.post("/photo/", {"photo": upload(small)}).status_code == 403

    token = "a" * 32
    client.cookies[upload_settings.CSRF_COOKIE_NAME] = token
    big = image_bytes(noisy((200, 200)), "PNG")[:60_000]
    response = client.post("/photo/", {"csrfmiddlewaretoken": token, "photo": upload(big)})
    assert response.status_code == 413  # the token, sent before the file, is still read


def test_received_bytes_are_counted_when_no_length_is_declared():
    request = RequestFactory().post("/photo/")
    handler = MaxSizeUploadHandler(request, max_bytes=100)
    assert request.upload_too_large is False
    handler.handle_raw_input(BytesIO(), {}, None, b"boundary")
    handler.new_file("photo", "a.jpg", "image/jpeg", None)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    handler.new_file("photo", "b.jpg", "image/jpeg", None)  # the limit covers all files
    with pytest.raises(StopUpload) as caught:
        handler.receive_data_chunk(b"x" * 60, 0)
    assert caught.value.connection_reset is False
    assert request.upload_too_large is True


def test_a_declared_length_over_the_limit_stops_at_the_first_file():
    request = RequestFactory().post("/photo/")
    handler = MaxSizeUploadHandler(request, max_bytes=100)
    handler.handle_raw_input(BytesIO(), {}, 101, b"boundary")
    with pytest.raises(StopUpload):
        handler.new_file("photo", "a.jpg", "image/jpeg", None)
    assert request.upload_too_large is True


def test_default_upload_limit_is_four_photos(settings):
    settings.GUICHET_PHOTO_MAX_BYTES = 1_000
    assert not hasattr(settings, "GUICHET_UPLOAD_MAX_BYTES")
    assert max_upload_bytes() == 4_000
    settings.GUICHET_UPLOAD_MAX_BYTES = 2_500
    assert MaxSizeUploadHandler().max_bytes == 2_500
