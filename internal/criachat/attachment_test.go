package criachat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FileTypeOf follows Chatwoot's FileTypeHelper (reference §6.1 Attachment.file_type).
func TestFileTypeOf(t *testing.T) {
	for ct, want := range map[string]FileType{
		"image/jpeg": FileImage, "image/png": FileImage, "image/gif": FileImage, "image/bmp": FileImage, "image/webp": FileImage,
		"image/svg+xml": FileFile, "image/tiff": FileFile,
		"video/mp4": FileVideo, "video/webm": FileVideo, "video/quicktime": FileVideo, "video/ogg": FileVideo, "video/x-msvideo": FileFile,
		"audio/ogg": FileAudio, "audio/mpeg": FileAudio, "audio/x-wav": FileAudio,
		"application/pdf": FileFile, "text/plain": FileFile, "": FileFile,
	} {
		if got := FileTypeOf(ct); got != want {
			t.Errorf("FileTypeOf(%q) = %s, want %s", ct, got, want)
		}
	}
	if FileEmbed.String() != "embed" || FileStoryMention.String() != "story_mention" || FileType(13).String() != "" {
		t.Fatal("enum names")
	}
}

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":             "report.pdf",
		`C:\Users\ann\photo.JPG`: "photo.JPG",
		"../../etc/passwd":       "passwd",
		"a\x00b\r\nc.txt":        "abc.txt",
		"  ":                     "attachment",
		"..":                     "attachment",
		"dir/":                   "attachment",
		"ação.png":               "ação.png",
	} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
	long := CleanFilename(strings.Repeat("é", 300) + ".tar.gz")
	if len(long) > MaxFilenameBytes || !strings.HasSuffix(long, ".gz") || !utf8.ValidString(long) {
		t.Fatalf("long name = %q (%d bytes)", long, len(long))
	}
	if FileExtension("a.PNG") != "PNG" || FileExtension("noext") != "" || FileExtension("a."+strings.Repeat("x", 20)) != "" {
		t.Fatal("FileExtension")
	}
}
