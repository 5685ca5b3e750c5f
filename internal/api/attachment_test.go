package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Multipart messages and attachments (reference §3.6 "JSON or multipart",
// "Attachment push data", §3.5 GET …/attachments, §6.1 Attachment.file_type).

// upload is a file part of a multipart request.
type upload struct {
	Field, Name, Type string // Field defaults to attachments[]; Type "" sends no Content-Type
	Data              []byte
}

// multipartBody encodes fields (in order: name, value, name, value …) and files.
func multipartBody(t *testing.T, fields []string, files ...upload) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := w.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		field := f.Field
		if field == "" {
			field = "attachments[]"
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, f.Name))
		if f.Type != "" {
			h.Set("Content-Type", f.Type)
		}
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(f.Data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

// postMultipart sends a multipart body with its content type.
func (e *env) postMultipart(path, token, body, contentType string, headers ...string) response {
	e.t.Helper()
	return e.doWith("POST", path, body, func(r *http.Request) {
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("api_access_token", token)
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
	})
}

// fetch GETs a URL with no token, as a browser's <img> does, and returns the
// raw response.
func (e *env) fetch(url string) *httptest.ResponseRecorder {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	return rec
}

// storedFiles lists the uploaded files on disk.
func (e *env) storedFiles() []string {
	e.t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(e.dataDir, "uploads"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (c chat) messagesPath(conv int64) string {
	return c.path(fmt.Sprintf("/conversations/%d/messages", conv))
}

// TestMultipartMessage: content, a private note flag, content_attributes as a
// JSON string and two files in one multipart request (§3.6).
func TestMultipartMessage(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		img := pngBytes(t, 3, 2)
		notes := []byte("remember the milk\n")
		body, ct := multipartBody(t, []string{"content", "see attached", "private", "true", "echo_id", "tmp-9",
			"content_attributes", `{"in_reply_to": 7}`, "source_id", "ext-1"},
			upload{Name: "pixel.png", Type: "image/png", Data: img}, upload{Name: "notes.txt", Type: "text/plain", Data: notes})
		res := e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		if res.str("content") != "see attached" || res.get("private") != true || res.str("echo_id") != "tmp-9" ||
			res.num("content_attributes", "in_reply_to") != 7 || res.str("source_id") != "ext-1" || res.num("message_type") != 1 {
			t.Fatalf("message = %s", res.Raw)
		}
		msgID := res.num("id")
		if n := len(res.get("attachments").([]any)); n != 2 {
			t.Fatalf("%d attachments, want 2: %s", n, res.Raw)
		}
		pic := res.get("attachments", 0).(map[string]any)
		keys := []string{"id", "message_id", "file_type", "account_id", "extension", "content_type", "data_url", "thumb_url", "file_size", "width", "height"}
		for _, k := range keys {
			if _, ok := pic[k]; !ok {
				t.Fatalf("attachment lacks %q: %v", k, pic)
			}
		}
		if len(pic) != len(keys) {
			t.Fatalf("attachment has keys beyond %v: %v", keys, pic)
		}
		dataURL := res.str("attachments", 0, "data_url")
		if res.str("attachments", 0, "file_type") != "image" || res.num("attachments", 0, "message_id") != msgID ||
			res.num("attachments", 0, "account_id") != c.AccountID || res.str("attachments", 0, "extension") != "png" ||
			res.str("attachments", 0, "content_type") != "image/png" || res.num("attachments", 0, "file_size") != int64(len(img)) ||
			res.num("attachments", 0, "width") != 3 || res.num("attachments", 0, "height") != 2 ||
			!strings.HasPrefix(dataURL, "/attachments/") || !strings.HasSuffix(dataURL, "/pixel.png") ||
			res.str("attachments", 0, "thumb_url") != dataURL {
			t.Fatalf("image attachment = %v", pic)
		}
		if res.str("attachments", 1, "file_type") != "file" || res.str("attachments", 1, "thumb_url") != "" ||
			res.get("attachments", 1, "width") != nil || res.str("attachments", 1, "content_type") != "text/plain" ||
			res.str("attachments", 1, "extension") != "txt" {
			t.Fatalf("text attachment = %v", res.get("attachments", 1))
		}
		if n := len(e.storedFiles()); n != 2 {
			t.Fatalf("%d files stored, want 2", n)
		}
		// The data URL works without a token and streams the file (§3.6 data_url).
		got := e.fetch(dataURL)
		if got.Code != 200 || !bytes.Equal(got.Body.Bytes(), img) || got.Header().Get("Content-Type") != "image/png" ||
			got.Header().Get("Content-Disposition") != `inline; filename=pixel.png` || got.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("GET %s = %d %v", dataURL, got.Code, got.Header())
		}
		rangeReq := httptest.NewRequest("GET", dataURL, nil)
		rangeReq.Header.Set("Range", "bytes=1-3")
		partial := httptest.NewRecorder()
		e.server.ServeHTTP(partial, rangeReq)
		if partial.Code != 206 || !bytes.Equal(partial.Body.Bytes(), img[1:4]) {
			t.Fatalf("range request = %d %q", partial.Code, partial.Body.Bytes())
		}
		txt := e.fetch(res.str("attachments", 1, "data_url"))
		if txt.Code != 200 || txt.Body.String() != string(notes) || txt.Header().Get("Content-Disposition") != `attachment; filename=notes.txt` {
			t.Fatalf("GET text = %d %v", txt.Code, txt.Header())
		}
		// The message list and the conversation carry the attachments too.
		list := e.do("GET", c.messagesPath(conv), c.Token, nil).expect(t, 200)
		if list.num("payload", 0, "id") != msgID || list.str("payload", 0, "attachments", 1, "file_type") != "file" {
			t.Fatalf("messages = %s", list.Raw)
		}
		show := e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), c.Token, nil).expect(t, 200)
		if show.str("messages", 0, "attachments", 0, "data_url") != dataURL ||
			show.str("last_non_activity_message", "attachments", 0, "data_url") != dataURL {
			t.Fatalf("conversation = %s", show.Raw)
		}
		// A status update answers with the message and its attachments.
		upd := e.do("PATCH", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, msgID)), c.Token, map[string]any{"status": "read"}).expect(t, 200)
		if upd.str("status") != "read" || upd.str("attachments", 0, "data_url") != dataURL {
			t.Fatalf("status update = %s", upd.Raw)
		}
		// Messages without files have no attachments key (§3.6: omitted when none), JSON or multipart.
		plain := e.say(c, conv, c.Token, map[string]any{"content": "no files"}).expect(t, 200)
		body, ct = multipartBody(t, []string{"content", "form, no files", "private", "false"})
		form := e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		if plain.has("attachments") || form.has("attachments") || form.str("content") != "form, no files" || form.get("private") != false {
			t.Fatalf("messages without files = %s %s", plain.Raw, form.Raw)
		}
	})
}

// TestMultipartFileTypes: file_type from the MIME type or, when it is
// missing or generic, from the extension or the content (§6.1).
func TestMultipartFileTypes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		body, ct := multipartBody(t, []string{"message_type", "incoming"},
			upload{Name: "voice.ogg", Type: "audio/ogg", Data: []byte("OggS....")},
			upload{Name: "clip.mp4", Type: "video/mp4", Data: []byte("....ftypmp42")},
			upload{Name: "report.pdf", Type: "application/octet-stream", Data: []byte("%PDF-1.4\n")},
			upload{Name: "noext", Data: pngBytes(t, 1, 1)},
			upload{Name: "page.html", Type: "text/html", Data: []byte("<script>alert(1)</script>")},
			upload{Name: "logo.svg", Type: "image/svg+xml", Data: []byte("<svg/>")})
		res := e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		if res.str("sender", "type") != "contact" || res.num("message_type") != 0 {
			t.Fatalf("incoming = %s", res.Raw)
		}
		want := []struct{ fileType, contentType, ext string }{
			{"audio", "audio/ogg", "ogg"}, {"video", "video/mp4", "mp4"}, {"file", "application/pdf", "pdf"},
			{"image", "image/png", ""}, {"file", "text/html", "html"}, {"file", "image/svg+xml", "svg"},
		}
		for i, w := range want {
			a := res.get("attachments", i).(map[string]any)
			ext, _ := a["extension"].(string)
			if a["file_type"] != w.fileType || a["content_type"] != w.contentType || ext != w.ext {
				t.Errorf("attachment %d = %v, want %+v", i, a, w)
			}
		}
		if res.get("attachments", 0, "transcribed_text") != "" || res.has("transcribed_text", "attachments", 1) {
			t.Fatalf("audio attachments carry transcribed_text, others not: %s", res.Raw)
		}
		if res.get("attachments", 3, "extension") != nil || res.num("attachments", 3, "width") != 1 {
			t.Fatalf("sniffed PNG = %v", res.get("attachments", 3))
		}
		// PDFs, audio and video are shown in the browser.
		for _, i := range []int{0, 1, 2} {
			got := e.fetch(res.str("attachments", i, "data_url"))
			if got.Code != 200 || got.Header().Get("Content-Type") != want[i].contentType ||
				!strings.HasPrefix(got.Header().Get("Content-Disposition"), "inline;") {
				t.Fatalf("GET %s = %d %v", res.str("attachments", i, "data_url"), got.Code, got.Header())
			}
		}
		// Types that could run script are served as downloads of bytes.
		for _, i := range []int{4, 5} {
			got := e.fetch(res.str("attachments", i, "data_url"))
			if got.Code != 200 || got.Header().Get("Content-Type") != "application/octet-stream" ||
				!strings.HasPrefix(got.Header().Get("Content-Disposition"), "attachment;") {
				t.Fatalf("GET %s = %d %v", res.str("attachments", i, "data_url"), got.Code, got.Header())
			}
		}
	})
}

// TestMultipartChunked: a multipart body without Content-Length (chunked
// transfer encoding) through a real HTTP server, arriving slower than the
// server's read and write timeouts allow other requests.
func TestMultipartChunked(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		var chunked bool
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			chunked = r.ContentLength == -1 && len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"
			e.server.ServeHTTP(w, r)
		}))
		srv.Config.ReadTimeout, srv.Config.WriteTimeout = 200*time.Millisecond, 200*time.Millisecond
		srv.Start()
		defer srv.Close()
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			mw.WriteField("content", "streamed")
			fw, _ := mw.CreateFormFile("attachments[]", "big.bin")
			for i := 0; i < 8; i++ { // 8 writes of 4 KiB: the body arrives in pieces, over 400 ms
				fw.Write(bytes.Repeat([]byte{byte(i)}, 4096))
				time.Sleep(50 * time.Millisecond)
			}
			mw.Close()
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", srv.URL+c.messagesPath(conv), pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("api_access_token", c.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]any
		json.NewDecoder(resp.Body).Decode(&got)
		if !chunked {
			t.Fatal("the request was not chunked")
		}
		atts, _ := got["attachments"].([]any)
		if resp.StatusCode != 200 || got["content"] != "streamed" || len(atts) != 1 || atts[0].(map[string]any)["file_size"] != float64(8*4096) {
			t.Fatalf("chunked upload = %d %v", resp.StatusCode, got)
		}
	})
}

// TestMultipartRefusals: too many files, too large a body, broken multipart
// and bad field values are 4xx, create nothing and leave no file behind.
func TestMultipartRefusals(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "web_widget")
		conv := e.open(c, nil)
		path := c.messagesPath(conv)
		one := upload{Name: "a.txt", Type: "text/plain", Data: []byte("a")}
		sixteen := make([]upload, 16)
		for i := range sixteen {
			sixteen[i] = one
		}
		body, ct := multipartBody(t, []string{"content", "x"}, sixteen...)
		e.postMultipart(path, c.Token, body, ct).expect(t, 422).body(t, `{"error":"Validation failed: Attachments exceeded maximum allowed"}`)
		// Fifteen is the limit, not over it.
		body, ct = multipartBody(t, []string{"content", "x"}, sixteen[:15]...)
		if n := len(e.postMultipart(path, c.Token, body, ct).expect(t, 200).get("attachments").([]any)); n != 15 {
			t.Fatalf("%d attachments, want 15", n)
		}
		stored := len(e.storedFiles())
		msgs := len(e.do("GET", path, c.Token, nil).get("payload").([]any))

		// The test server's body limit is 64 KiB (Options.MaxBodyBytes).
		body, ct = multipartBody(t, []string{"content", "x"}, upload{Name: "big.bin", Data: bytes.Repeat([]byte("x"), 70<<10)})
		e.postMultipart(path, c.Token, body, ct).expect(t, 413)
		// A failure after the files were written: the message is refused (incoming in a web widget inbox).
		body, ct = multipartBody(t, []string{"message_type", "incoming"}, one, one)
		e.postMultipart(path, c.Token, body, ct).expect(t, 422).body(t, `{"error":"Incoming messages are only allowed in Api inboxes"}`)
		body, ct = multipartBody(t, []string{"message_type", "sideways"}, one)
		e.postMultipart(path, c.Token, body, ct).expect(t, 422)
		// Bad values.
		body, ct = multipartBody(t, []string{"private", "maybe"}, one)
		e.postMultipart(path, c.Token, body, ct).expect(t, 422).body(t, `{"message":"Private must be a boolean","attributes":["private"]}`)
		body, ct = multipartBody(t, []string{"content_attributes", "{not json"}, one)
		e.postMultipart(path, c.Token, body, ct).expect(t, 422)
		body, ct = multipartBody(t, []string{"content", "x", "attachments[]", "signed-blob-id"})
		e.postMultipart(path, c.Token, body, ct).expect(t, 422)
		body, ct = multipartBody(t, []string{"content", "pick", "content_type", "input_select", "content_attributes", `{"items":[{"title":"A","colour":"red"}]}`}, one)
		e.postMultipart(path, c.Token, body, ct).expect(t, 422).
			body(t, `{"error":"Validation failed: Content attributes contains invalid keys for items : [:colour]"}`)
		// Broken multipart: no boundary, a truncated body, garbage.
		body, ct = multipartBody(t, []string{"content", "x"}, one, one)
		e.postMultipart(path, c.Token, body, "multipart/form-data").expect(t, 400)
		e.postMultipart(path, c.Token, body[:len(body)-40], ct).expect(t, 400)
		e.postMultipart(path, c.Token, "not multipart at all", ct).expect(t, 400)
		e.postMultipart(path, c.Token, "", ct).expect(t, 400)
		e.postMultipart(path, c.Token, body, `multipart/form-data; boundary="unterminated`).expect(t, 400)

		if n := len(e.storedFiles()); n != stored {
			t.Fatalf("%d files on disk after refused uploads, want %d", n, stored)
		}
		if n := len(e.do("GET", path, c.Token, nil).get("payload").([]any)); n != msgs {
			t.Fatalf("%d messages after refused uploads, want %d", n, msgs)
		}
	})
}

// TestAttachmentURLSignature: the file URL is its own credential; any other
// signature, id or a deleted attachment is 404.
func TestAttachmentURLSignature(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		body, ct := multipartBody(t, nil, upload{Name: "a.png", Type: "image/png", Data: pngBytes(t, 1, 1)},
			upload{Name: "b.png", Type: "image/png", Data: pngBytes(t, 2, 2)})
		res := e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		first, second := res.str("attachments", 0, "data_url"), res.str("attachments", 1, "data_url")
		if e.fetch(first).Code != 200 {
			t.Fatal("signed URL does not work")
		}
		parts := strings.Split(first, "/") // "", "attachments", id, signature, name
		otherParts := strings.Split(second, "/")
		bad := []string{
			"/attachments/" + parts[2] + "/" + strings.Repeat("0", 64) + "/a.png",                      // wrong signature
			"/attachments/" + parts[2] + "/" + otherParts[3] + "/a.png",                                // another attachment's signature
			"/attachments/" + otherParts[2] + "/" + parts[3] + "/b.png",                                // another id with this signature
			"/attachments/999999/" + parts[3] + "/a.png",                                               // unknown id
			"/attachments/x/" + parts[3] + "/a.png",                                                    // not an id
			"/attachments/" + parts[2] + "/" + strings.ToUpper(parts[3][:8]) + parts[3][8:] + "/a.png", // altered case
		}
		for _, u := range bad {
			got := e.fetch(u)
			var body map[string]any
			json.Unmarshal(got.Body.Bytes(), &body)
			if got.Code != 404 || len(body) != 2 || body["status"] != float64(404) || body["error"] != "Not Found" {
				t.Errorf("GET %s = %d %s, want 404", u, got.Code, got.Body)
			}
		}
		// The file name segment is cosmetic.
		if e.fetch("/attachments/"+parts[2]+"/"+parts[3]+"/other-name.png").Code != 200 {
			t.Fatal("renamed link refused")
		}
		// Deleting the message removes the attachment: its URL is gone.
		e.do("DELETE", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, res.num("id"))), c.Token, nil).expect(t, 200)
		if got := e.fetch(first); got.Code != 404 {
			t.Fatalf("deleted attachment served: %d", got.Code)
		}
	})
}

// TestAttachmentTenancy: another account's conversation is 404 through one's
// own account path; an agent outside the inbox gets 401 (§2.6 member*).
func TestAttachmentTenancy(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		b := e.setup("Beta", "bob@beta.io")
		body, ct := multipartBody(t, []string{"content", "x"}, upload{Name: "a.txt", Type: "text/plain", Data: []byte("a")})
		bPath := fmt.Sprintf("/api/v1/accounts/%d/conversations/%d", b.AccountID, conv)
		e.postMultipart(bPath+"/messages", b.Token, body, ct).expect(t, 404)
		e.do("GET", bPath+"/attachments", b.Token, nil).expect(t, 404)
		agent := e.addAgent(a, "cy@acme.io", "agent")
		e.postMultipart(c.messagesPath(conv), agent, body, ct).expect(t, 401)
		e.do("GET", c.path(fmt.Sprintf("/conversations/%d/attachments", conv)), agent, nil).expect(t, 401)
		if n := len(e.storedFiles()); n != 0 {
			t.Fatalf("%d files stored by refused requests", n)
		}
	})
}

// TestConversationAttachmentsList is GET …/conversations/{id}/attachments
// (§3.5): newest first, 100 per page, with the message's time and sender.
func TestConversationAttachmentsList(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		listPath := c.path(fmt.Sprintf("/conversations/%d/attachments", conv))
		e.do("GET", listPath, c.Token, nil).expect(t, 200).body(t, `{"meta":{"total_count":0},"payload":[]}`)
		body, ct := multipartBody(t, []string{"message_type", "incoming"}, upload{Name: "in.png", Type: "image/png", Data: pngBytes(t, 4, 5)})
		in := e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		files := make([]upload, 15)
		for i := range files {
			files[i] = upload{Name: fmt.Sprintf("f%d.txt", i), Type: "text/plain", Data: []byte{byte(i)}}
		}
		var last response
		for i := 0; i < 7; i++ { // 105 more attachments
			body, ct = multipartBody(t, []string{"content", "batch"}, files...)
			last = e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		}
		page1 := e.do("GET", listPath, c.Token, nil).expect(t, 200)
		if page1.num("meta", "total_count") != 106 || len(page1.get("payload").([]any)) != 100 {
			t.Fatalf("page 1: total %d, %d entries", page1.num("meta", "total_count"), len(page1.get("payload").([]any)))
		}
		newest := page1.get("payload", 0).(map[string]any)
		keys := []string{"id", "message_id", "thumb_url", "data_url", "file_size", "file_type", "extension", "width", "height", "created_at", "sender"}
		for _, k := range keys {
			if _, ok := newest[k]; !ok {
				t.Fatalf("entry lacks %q: %v", k, newest)
			}
		}
		if len(newest) != len(keys) || page1.num("payload", 0, "message_id") != last.num("id") ||
			page1.num("payload", 0, "id") != last.num("attachments", 14, "id") || page1.str("payload", 0, "sender", "type") != "user" ||
			page1.num("payload", 0, "created_at") != last.num("created_at") || page1.str("payload", 0, "extension") != "txt" {
			t.Fatalf("newest entry = %v", newest)
		}
		page2 := e.do("GET", listPath+"?page=2", c.Token, nil).expect(t, 200)
		if page2.num("meta", "total_count") != 106 || len(page2.get("payload").([]any)) != 6 {
			t.Fatalf("page 2 = %s", page2.Raw)
		}
		oldest := page2.get("payload", 5).(map[string]any)
		if oldest["message_id"] != float64(in.num("id")) || page2.str("payload", 5, "sender", "type") != "contact" ||
			page2.num("payload", 5, "width") != 4 || page2.num("payload", 5, "height") != 5 || page2.str("payload", 5, "file_type") != "image" ||
			page2.str("payload", 5, "thumb_url") != page2.str("payload", 5, "data_url") {
			t.Fatalf("oldest entry = %v", oldest)
		}
		if n := len(e.do("GET", listPath+"?page=3", c.Token, nil).expect(t, 200).get("payload").([]any)); n != 0 {
			t.Fatalf("page 3 has %d entries", n)
		}
		e.do("GET", listPath+"?page=x", c.Token, nil).expect(t, 422)
		e.do("GET", c.path("/conversations/999/attachments"), c.Token, nil).expect(t, 404)
	})
}

// TestDeletingRemovesAttachments: a soft-deleted message loses its
// attachments, rows and files (§3.6); a deleted conversation's files go too.
func TestDeletingRemovesAttachments(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		body, ct := multipartBody(t, []string{"content", "two files"},
			upload{Name: "a.txt", Type: "text/plain", Data: []byte("a")}, upload{Name: "b.txt", Type: "text/plain", Data: []byte("b")})
		msg := e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		keep := e.postMultipart(c.messagesPath(conv), c.Token, body, ct).expect(t, 200)
		if n := len(e.storedFiles()); n != 4 {
			t.Fatalf("%d files, want 4", n)
		}
		del := e.do("DELETE", c.path(fmt.Sprintf("/conversations/%d/messages/%d", conv, msg.num("id"))), c.Token, nil).expect(t, 200)
		if del.has("attachments") || del.str("content") != "This message was deleted" {
			t.Fatalf("deleted message = %s", del.Raw)
		}
		if n := len(e.storedFiles()); n != 2 {
			t.Fatalf("%d files after deleting a message with 2 of 4, want 2", n)
		}
		list := e.do("GET", c.path(fmt.Sprintf("/conversations/%d/attachments", conv)), c.Token, nil).expect(t, 200)
		if list.num("meta", "total_count") != 2 || list.num("payload", 0, "message_id") != keep.num("id") {
			t.Fatalf("attachments after delete = %s", list.Raw)
		}
		if e.fetch(keep.str("attachments", 0, "data_url")).Code != 200 {
			t.Fatal("the other message's file is gone")
		}
		e.do("DELETE", c.path(fmt.Sprintf("/conversations/%d", conv)), c.Token, nil).expect(t, 200)
		if n := len(e.storedFiles()); n != 0 {
			t.Fatalf("%d files after deleting the conversation", n)
		}
		if e.fetch(keep.str("attachments", 0, "data_url")).Code != 404 {
			t.Fatal("a deleted conversation's file is served")
		}
	})
}

// TestMultipartIdempotencyKey: the same upload retried with its
// Idempotency-Key (and a new boundary, as clients do) creates one message
// and stores its files once.
func TestMultipartIdempotencyKey(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := e.newChat(e.setup("Acme", "ann@acme.io"), "api")
		conv := e.open(c, nil)
		file := upload{Name: "a.png", Type: "image/png", Data: pngBytes(t, 2, 2)}
		body1, ct1 := multipartBody(t, []string{"content", "once", "message_type", "incoming"}, file)
		body2, ct2 := multipartBody(t, []string{"content", "once", "message_type", "incoming"}, file)
		if ct1 == ct2 {
			t.Fatal("the two bodies share a boundary")
		}
		first := e.postMultipart(c.messagesPath(conv), c.Token, body1, ct1, "Idempotency-Key", "up-1").expect(t, 200)
		again := e.postMultipart(c.messagesPath(conv), c.Token, body2, ct2, "Idempotency-Key", "up-1").expect(t, 200)
		if again.Raw != first.Raw || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry = %s (replayed %q), first %s", again.Raw, again.Header.Get("Idempotent-Replayed"), first.Raw)
		}
		if n := len(e.do("GET", c.messagesPath(conv), c.Token, nil).get("payload").([]any)); n != 1 {
			t.Fatalf("%d messages after a retried upload, want 1", n)
		}
		if n := len(e.storedFiles()); n != 1 {
			t.Fatalf("%d files after a retried upload, want 1", n)
		}
		// Another file under the same key is a different request.
		body3, ct3 := multipartBody(t, []string{"content", "once", "message_type", "incoming"}, upload{Name: "a.png", Type: "image/png", Data: pngBytes(t, 3, 3)})
		e.postMultipart(c.messagesPath(conv), c.Token, body3, ct3, "Idempotency-Key", "up-1").expect(t, 422)
	})
}

// TestAttachmentQueriesDoNotGrow: messages with attachments are presented
// with one attachment query per page, in message lists and conversation lists.
func TestAttachmentQueriesDoNotGrow(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		attach := func(conv int64, incoming bool) {
			fields := []string{"content", "with files"}
			if incoming {
				fields = append(fields, "message_type", "incoming")
			}
			body, ct := multipartBody(t, fields, upload{Name: "a.txt", Type: "text/plain", Data: []byte("a")},
				upload{Name: "b.png", Type: "image/png", Data: pngBytes(t, 1, 1)})
			e.postMultipart(c.messagesPath(conv), a.Token, body, ct).expect(t, 200)
		}
		attach(conv, true) // the small page has a contact's and a user's message
		attach(conv, false)
		e.assertConstantQueries(t, c.messagesPath(conv), a.Token, func(i int) { attach(conv, i%2 == 0) })
		e.assertConstantQueries(t, c.path(fmt.Sprintf("/conversations/%d/attachments", conv)), a.Token, func(i int) { attach(conv, i%2 == 0) })
		grow := func(int) {
			conv := e.open(c, map[string]any{"assignee_id": a.UserID})
			attach(conv, true)
			attach(conv, false)
		}
		e.assertConstantQueries(t, c.path("/conversations"), a.Token, grow)
	})
}
