package api

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"image"
	_ "image/gif" // image sizes of uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
)

// inlineTypes may be shown in the browser; other files are downloads
// (ActiveStorage's content_types_allowed_inline, plus audio and video).
var inlineTypes = map[string]bool{
	"image/png": true, "image/gif": true, "image/jpeg": true, "image/tiff": true, "image/bmp": true,
	"image/vnd.adobe.photoshop": true, "image/vnd.microsoft.icon": true, "image/webp": true, "image/avif": true,
	"image/heic": true, "image/heif": true, "application/pdf": true,
}

// binaryTypes could run script in the browser if served as what they are:
// they go out as application/octet-stream (ActiveStorage's content_types_to_serve_as_binary).
var binaryTypes = map[string]bool{
	"text/html": true, "image/svg+xml": true, "application/postscript": true, "application/x-shockwave-flash": true,
	"text/xml": true, "application/xml": true, "application/xhtml+xml": true, "application/mathml+xml": true,
	"text/cache-manifest": true, "text/javascript": true, "application/javascript": true,
}

// serveAttachment is GET /attachments/{id}/{signature}/{filename}: the file,
// for whoever holds the signed URL. A wrong signature, a deleted attachment
// or a missing file is 404.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) error {
	notFound := criachat.Errorf(criachat.ENOTFOUND, "attachment not found")
	id, ok := pathID(r, "id")
	if !ok || s.keeper == nil || !hmac.Equal([]byte(r.PathValue("signature")), []byte(present.AttachmentSignature(s.keeper, id))) {
		return notFound
	}
	a, err := s.store.Read().SignedAttachment(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := s.files.Open(a.StorageKey)
	if errors.Is(err, fs.ErrNotExist) {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "attachment file missing", slog.Int64("attachment_id", a.ID))
		return notFound
	} else if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	ct, disposition := a.ContentType, "attachment"
	switch {
	case binaryTypes[ct] || ct == "":
		ct = "application/octet-stream"
	case inlineTypes[ct] || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/"):
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=300")
	http.ServeContent(w, r, "", fi.ModTime(), f)
	return nil
}

// attachmentsPerPage is the page size of GET …/conversations/{id}/attachments.
const attachmentsPerPage = 100

// conversationAttachmentJSON is an entry of a conversation's attachment list
// (app/views/api/v1/accounts/conversations/attachments/index.json.jbuilder).
type conversationAttachmentJSON struct {
	ID        int64   `json:"id"`
	MessageID int64   `json:"message_id"`
	ThumbURL  string  `json:"thumb_url"`
	DataURL   string  `json:"data_url"`
	FileSize  int64   `json:"file_size"`
	FileType  string  `json:"file_type"`
	Extension *string `json:"extension"`
	Width     *int    `json:"width"`
	Height    *int    `json:"height"`
	CreatedAt int64   `json:"created_at"` // the message's
	Sender    any     `json:"sender,omitempty"`
}

// listConversationAttachments is GET /conversations/{id}/attachments:
// {"meta":{"total_count":n},"payload":[…]}, newest first, 100 per page.
func (s *Server) listConversationAttachments(w http.ResponseWriter, r *http.Request) error {
	c, err := s.conversationFromPath(r)
	if err != nil {
		return err
	}
	page, err := queryInt(r.URL.Query().Get("page"))
	if err != nil {
		return err
	}
	page = min(max(page, 1), 1<<31)
	ctx, q := r.Context(), s.store.Read()
	total, err := q.CountConversationAttachments(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	list, err := q.ConversationAttachments(ctx, c.AccountID, c.ID, attachmentsPerPage, int(page-1)*attachmentsPerPage)
	if err != nil {
		return err
	}
	var ids senderIDs
	for _, e := range list {
		ids.add(e.Message)
	}
	senders := &conversationPage{}
	if err := senders.loadSenders(ctx, q, c.AccountID, &ids); err != nil {
		return err
	}
	out := make([]conversationAttachmentJSON, 0, len(list))
	for _, e := range list {
		a := present.Attachment(s.keeper, e.Attachment)
		out = append(out, conversationAttachmentJSON{ID: a.ID, MessageID: a.MessageID, ThumbURL: a.ThumbURL, DataURL: a.DataURL,
			FileSize: a.FileSize, FileType: a.FileType, Extension: a.Extension, Width: a.Width, Height: a.Height,
			CreatedAt: e.Message.CreatedAt.Unix(), Sender: senders.sender(e.Message)})
	}
	return ok(w, map[string]any{"meta": map[string]any{"total_count": total}, "payload": out})
}

// uploadTime is how long a multipart request may take to arrive and be
// answered. The server's read and write timeouts (60 s) suit JSON bodies,
// not 40 MB of files on a slow line. File sweeps keep new files for an hour,
// well beyond this.
const uploadTime = 10 * time.Minute

// upload gives multipart requests uploadTime instead of the server's
// timeouts. It runs after authentication, so only members can hold a
// connection that long.
func (s *Server) upload(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if isMultipart(r) {
			rc, deadline := http.NewResponseController(w), time.Now().Add(uploadTime)
			_ = rc.SetReadDeadline(deadline) // unsupported by test recorders; harmless
			_ = rc.SetWriteDeadline(deadline)
		}
		return next(w, r)
	}
}

// isMultipart reports whether the request body is multipart/form-data.
func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// maxFormField bounds a non-file field of a multipart message (content is at
// most 150 000 characters, so 1 MiB holds any valid one).
const maxFormField = 1 << 20

// readMultipartMessage reads a multipart/form-data POST …/messages (reference
// §3.6): the fields of the JSON body as form values (content_attributes as a
// JSON string, private as "true"/"false") and up to MaxAttachments files as
// attachments[]. The body is streamed (chunked bodies work): each file goes
// to the file store as it arrives. On error the files written so far are
// removed; on success the caller owns them (see removeFiles).
func (s *Server) readMultipartMessage(r *http.Request, accountID int64) (conversation.MessageParams, error) {
	var p messageParams
	var files []*criachat.Attachment
	err := s.readMultipart(r, accountID, &p, &files)
	if err != nil {
		s.removeFiles(r.Context(), files)
		return conversation.MessageParams{}, err
	}
	mp := p.service()
	mp.Attachments = files
	return mp, nil
}

func (s *Server) readMultipart(r *http.Request, accountID int64, p *messageParams, files *[]*criachat.Attachment) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return criachat.Errorf(criachat.EBADREQUEST, "Malformed multipart body: %s", strings.TrimPrefix(err.Error(), "http: "))
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return bodyError(err)
		}
		name := part.FormName()
		if name == "attachments[]" || name == "attachments" {
			if part.FileName() == "" {
				return criachat.Errorf(criachat.EINVALID, "Attachments must be uploaded files (signed blob ids are not supported)")
			}
			if len(*files) == criachat.MaxAttachments {
				return criachat.Errorf(criachat.EINVALID, "Validation failed: Attachments exceeded maximum allowed")
			}
			a, err := s.storeUpload(accountID, part)
			if err != nil {
				return err
			}
			*files = append(*files, a)
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
		if err != nil {
			return bodyError(err)
		}
		if len(v) > maxFormField {
			return criachat.Errorf(criachat.ETOOLARGE, "A form field is larger than %d bytes", maxFormField)
		}
		if err := p.setFormValue(name, string(v)); err != nil {
			return err
		}
	}
}

// setFormValue sets a message field from its multipart form value. Unknown
// fields are ignored, as Rails ignores unpermitted parameters.
func (p *messageParams) setFormValue(name, v string) error {
	switch name {
	case "content":
		p.Content = &v
	case "message_type":
		p.MessageType = &v
	case "content_type":
		p.ContentType = &v
	case "source_id":
		p.SourceID = &v
	case "echo_id":
		e := flexString(v)
		p.EchoID = &e
	case "private":
		var b flexBool
		if err := b.UnmarshalJSON([]byte(strconv.Quote(v))); err != nil {
			return criachat.Invalid("Private must be a boolean", "private")
		}
		p.Private = &b
	case "content_attributes":
		if strings.TrimSpace(v) == "" {
			p.ContentAttributes = jsonObject{}
			return nil
		}
		if err := p.ContentAttributes.UnmarshalJSON([]byte(v)); err != nil {
			return criachat.Invalid("Content attributes must be a JSON object", "content_attributes")
		}
	case "template_params":
		var m map[string]any
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			return criachat.Invalid("Template params must be a JSON object", "template_params")
		}
		p.TemplateParams = m
	}
	return nil
}

// bodyError turns an error met while reading a request body into 413 (over
// the size limit) or 400 (truncated or malformed).
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return criachat.Errorf(criachat.ETOOLARGE, "Request body is larger than %d bytes", tooLarge.Limit)
	}
	return &criachat.Error{Code: criachat.EBADREQUEST, Message: "Malformed multipart body", Err: err}
}

// readErrReader remembers the error of the reader it wraps, so that a failed
// copy can be blamed on the client (its body) or on the server (the disk).
type readErrReader struct {
	r   io.Reader
	err error
}

func (e *readErrReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// storeUpload writes one uploaded file to the file store and describes it.
func (s *Server) storeUpload(accountID int64, part *multipart.Part) (*criachat.Attachment, error) {
	src := &readErrReader{r: part}
	info, err := s.files.Put(accountID, src)
	if src.err != nil {
		return nil, bodyError(src.err)
	} else if err != nil {
		return nil, err
	}
	name := criachat.CleanFilename(part.FileName())
	a := &criachat.Attachment{AccountID: accountID, StorageKey: info.Key, Filename: name,
		ContentType: uploadContentType(part.Header.Get("Content-Type"), name, info.Head),
		Extension:   criachat.FileExtension(name), FileSize: info.Size}
	a.FileType = criachat.FileTypeOf(a.ContentType)
	if a.FileType == criachat.FileImage {
		a.Width, a.Height = s.imageSize(info.Key)
	}
	return a, nil
}

// uploadContentType is the media type of an upload: the one the client
// declared unless it is missing or generic, else the one of the file name's
// extension, else what the first bytes look like.
func uploadContentType(declared, filename string, head []byte) string {
	if mt, _, err := mime.ParseMediaType(declared); err == nil && mt != "application/octet-stream" && mt != "binary/octet-stream" {
		return strings.ToLower(mt)
	}
	if ext := filepath.Ext(filename); ext != "" {
		if mt, _, err := mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(ext))); err == nil {
			return mt
		}
	}
	mt, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	return mt
}

// imageSize decodes a stored image's header (PNG, JPEG and GIF); nil when it cannot.
func (s *Server) imageSize(key string) (*int, *int) {
	f, err := s.files.Open(key)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, nil
	}
	return &cfg.Width, &cfg.Height
}

// removeFiles deletes the files of attachments whose rows were not written
// or have been deleted. Failures are logged; the sweeper retries later.
func (s *Server) removeFiles(ctx context.Context, list []*criachat.Attachment) {
	keys := make([]string, 0, len(list))
	for _, a := range list {
		keys = append(keys, a.StorageKey)
	}
	s.removeKeys(ctx, keys)
}

func (s *Server) removeKeys(ctx context.Context, keys []string) {
	if len(keys) == 0 {
		return
	}
	if err := s.files.Remove(keys...); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "attachment files not removed", slog.String("error", err.Error()))
	}
}
