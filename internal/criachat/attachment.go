package criachat

import (
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FileType is an attachment's kind (Chatwoot's Attachment.file_type enum,
// reference §6.1). JSON renders the name.
type FileType int

// File types. Uploads are image, audio, video or file; the others come from
// channels (locations, Instagram stories …).
const (
	FileImage        FileType = 0
	FileAudio        FileType = 1
	FileVideo        FileType = 2
	FileFile         FileType = 3
	FileLocation     FileType = 4
	FileFallback     FileType = 5
	FileShare        FileType = 6
	FileStoryMention FileType = 7
	FileContact      FileType = 8
	FileIGReel       FileType = 9
	FileIGPost       FileType = 10
	FileIGStory      FileType = 11
	FileEmbed        FileType = 12
)

var fileTypeNames = [...]string{"image", "audio", "video", "file", "location", "fallback", "share", "story_mention",
	"contact", "ig_reel", "ig_post", "ig_story", "embed"}

// String is the enum's name.
func (t FileType) String() string {
	if t >= 0 && int(t) < len(fileTypeNames) {
		return fileTypeNames[t]
	}
	return ""
}

// MaxAttachments is how many attachments one message may carry (Chatwoot's
// Message::NUMBER_OF_PERMITTED_ATTACHMENTS).
const MaxAttachments = 15

// MaxFilenameBytes bounds a stored file name.
const MaxFilenameBytes = 255

// FileTypeOf classifies an upload by its MIME type as Chatwoot's
// FileTypeHelper does: a few previewable image and video types, any audio
// type, and everything else (SVG included) a plain file.
func FileTypeOf(contentType string) FileType {
	switch contentType {
	case "image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp":
		return FileImage
	case "video/ogg", "video/mp4", "video/webm", "video/quicktime":
		return FileVideo
	}
	if strings.HasPrefix(contentType, "audio/") {
		return FileAudio
	}
	return FileFile
}

// Attachment is a file attached to a message. The bytes live in the file
// store under StorageKey; the row keeps what the API shows about them.
type Attachment struct {
	ID          int64
	AccountID   int64
	MessageID   int64
	FileType    FileType
	StorageKey  string
	Filename    string
	ContentType string // media type without parameters, lower case
	Extension   string // from the file name, without the dot; "" when it has none
	FileSize    int64
	Width       *int // images whose header could be decoded
	Height      *int
	CreatedAt   time.Time
}

// CleanFilename makes an uploaded file name safe to store and to send back
// in a Content-Disposition header: the last path element, without control
// characters, at most MaxFilenameBytes (the extension is kept), and
// "attachment" when nothing is left.
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "attachment"
	}
	if len(name) > MaxFilenameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		base := name[:MaxFilenameBytes-len(ext)]
		for !utf8.ValidString(base) { // do not cut a character in two
			base = base[:len(base)-1]
		}
		name = base + ext
	}
	return name
}

// FileExtension is the extension of a file name without the dot, or "".
func FileExtension(name string) string {
	ext := strings.TrimPrefix(path.Ext(name), ".")
	if len(ext) > 16 {
		return ""
	}
	return ext
}

// Validate checks an attachment before it is stored.
func (a *Attachment) Validate() error {
	switch {
	case a.FileType.String() == "":
		return Errorf(EINVALID, "Validation failed: File type is not included in the list")
	case a.StorageKey == "":
		return Errorf(EINVALID, "Validation failed: File must be attached")
	case a.Filename == "" || len(a.Filename) > MaxFilenameBytes:
		return Errorf(EINVALID, "Validation failed: File name is invalid")
	case a.FileSize < 0:
		return Errorf(EINVALID, "Validation failed: File size is invalid")
	}
	return nil
}
