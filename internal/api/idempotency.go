package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"
	"time"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

// IdempotencyTTL is how long a create request's response is remembered.
const IdempotencyTTL = 24 * time.Hour

// idempotent makes a create endpoint honour the Idempotency-Key header (beyond
// Chatwoot, its issue #15743): the same key with the same request within 24
// hours replays the first response (same ids, no new rows); the same key with
// a different request is 422; a retry while the first is still running is 409.
// Keys are scoped to the caller and the account. Only successful responses are
// remembered, so a failed request can be retried with its key.
func (s *Server) idempotent(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return next(w, r)
		}
		if len(key) > 255 {
			return criachat.Errorf(criachat.EINVALID, "Idempotency-Key must be at most 255 characters")
		}
		body, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return criachat.Errorf(criachat.ETOOLARGE, "Request body is larger than %d bytes", tooLarge.Limit)
		} else if err != nil {
			return criachat.Errorf(criachat.EBADREQUEST, "Could not read the request body")
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p := caller(r)
		claim := &store.IdempotencyKey{AccountID: p.accountID(), UserID: p.callerID(), Key: key, RequestHash: requestHash(r, body)}
		var existing *store.IdempotencyKey
		var claimed bool
		ctx := r.Context()
		err = s.store.Tx(ctx, func(q *store.Queries) (err error) {
			existing, claimed, err = q.ClaimIdempotencyKey(ctx, claim, IdempotencyTTL)
			return err
		})
		if err != nil {
			return err
		}
		if !claimed {
			switch {
			case existing.RequestHash != claim.RequestHash:
				return criachat.Errorf(criachat.EINVALID, "Idempotency-Key was already used with a different request")
			case existing.Status == 0:
				writeJSON(w, http.StatusConflict, map[string]any{"error": "A request with this Idempotency-Key is still in progress"})
				return nil
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(existing.Status)
			_, _ = io.WriteString(w, existing.ResponseBody)
			return nil
		}
		rec := &captureWriter{ResponseWriter: w}
		herr := next(rec, r)
		// The outcome is recorded even if the client went away meanwhile.
		ctx = context.WithoutCancel(ctx)
		if herr == nil && rec.status >= 200 && rec.status < 300 {
			claim.Status, claim.ResponseBody = rec.status, rec.body.String()
			err = s.store.Tx(ctx, func(q *store.Queries) error { return q.CompleteIdempotencyKey(ctx, claim) })
		} else {
			err = s.store.Tx(ctx, func(q *store.Queries) error { return q.ReleaseIdempotencyKey(ctx, claim.AccountID, claim.UserID, key) })
		}
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "idempotency key not recorded", slog.String("key", key), slog.String("error", err.Error()))
		}
		return herr
	}
}

// requestHash identifies a request's content: method, path, query and body.
// Multipart bodies are hashed by their parts (names, file names, contents),
// not their bytes, because a client retrying a upload picks a new boundary.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+"\n")
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" && params["boundary"] != "" {
		if parts, ok := multipartDigest(body, params["boundary"]); ok {
			io.WriteString(h, parts)
			return hex.EncodeToString(h.Sum(nil))
		}
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func multipartDigest(body []byte, boundary string) (string, bool) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return "", false
		}
		sum := sha256.New()
		if _, err := io.Copy(sum, part); err != nil {
			return "", false
		}
		parts = append(parts, part.FormName()+"\x00"+part.FileName()+"\x00"+hex.EncodeToString(sum.Sum(nil)))
	}
	sort.Strings(parts)
	var b bytes.Buffer
	for _, p := range parts {
		b.WriteString(p + "\n")
	}
	return b.String(), true
}

// captureWriter passes a response through and keeps a copy.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}
