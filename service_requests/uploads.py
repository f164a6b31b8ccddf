"""A cap on the size of an upload, enforced while it streams in (of a 200 MB body, nothing past
the cap reaches a temporary file; the rest is read and discarded), so that the view can still
answer with a clear error.

Use the decorator on a function view that receives photos::

    @limit_upload_size
    def report_view(request):
        if request.upload_too_large:          # the body is already parsed: check this first
            ...                               # a clear form error, not a half-received form
        form = ReportForm(request.POST, request.FILES)

or do by hand what it does, following "Modifying upload handlers on the fly" in Django's docs:
the handler must be inserted before anything reads ``request.POST`` or ``request.FILES``, and
``CsrfViewMiddleware`` reads ``request.POST``, so the outer view is ``csrf_exempt`` and the
inner one ``csrf_protect`` (the CSRF check still runs, after the handlers are in place)::

    @csrf_exempt
    def report_view(request):
        request.upload_handlers.insert(0, MaxSizeUploadHandler(request))
        return _report_view(request)

    @csrf_protect
    def _report_view(request):
        request.FILES                         # parse first: the flag is set while parsing
        if request.upload_too_large:
            ...

For a class-based view: ``limit_upload_size(ReportView.as_view())`` in the URLconf.
"""
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def max_upload_bytes() -> int:
    """Largest request body accepted with files: ``settings.GUICHET_UPLOAD_MAX_BYTES``, by default
    four photos of ``GUICHET_PHOTO_MAX_BYTES``."""
    default = 4 * settings.GUICHET_PHOTO_MAX_BYTES
    return getattr(settings, "GUICHET_UPLOAD_MAX_BYTES", default)


class MaxSizeUploadHandler(FileUploadHandler):
    """First upload handler of a request: stops the upload when its declared length
    (Content-Length) or the file bytes actually received exceed the limit.

    It then sets ``request.upload_too_large = True`` (False otherwise) and raises
    ``StopUpload(connection_reset=False)``: Django reads and discards the rest of the body (the
    browser gets the page, not a "connection reset"), the file being received is dropped (its
    temporary file deleted), and the files not started yet never reach ``request.FILES``. Fields
    sent before the file are kept; fields after it are lost.
    """

    def __init__(self, request=None, max_bytes=None):
        super().__init__(request)
        self.max_bytes = max_upload_bytes() if max_bytes is None else max_bytes
        self.declared_length = None
        self.received = 0
        if request is not None:
            request.upload_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Nothing can be refused here (StopUpload would escape the parser): remember the length.
        self.declared_length = content_length

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.declared_length is not None and self.declared_length > self.max_bytes:
            self.stop()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.stop()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers (memory, temporary file) build the UploadedFile

    def stop(self):
        if self.request is not None:
            self.request.upload_too_large = True
        raise StopUpload(connection_reset=False)


def limit_upload_size(view_func):
    """Put a MaxSizeUploadHandler in front of the view's upload handlers and parse the body, so
    that ``request.upload_too_large`` is final when the view starts; the CSRF check is kept (the
    view is wrapped in ``csrf_protect``, the wrapper marked ``csrf_exempt``)."""
    protected = csrf_protect(view_func)

    @csrf_exempt
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers.insert(0, MaxSizeUploadHandler(request))
        request.FILES  # noqa: B018 -- parse now, through the handler (sets the flag)
        return protected(request, *args, **kwargs)

    return wrapper
