package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/blob"
)

func TestPutOpenRemove(t *testing.T) {
	dir := t.TempDir()
	s := blob.New(dir)
	data := bytes.Repeat([]byte("0123456789"), 100)
	info, err := s.Put(7, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.Key, "7/") || info.Size != int64(len(data)) || !bytes.Equal(info.Head, data[:blob.HeadSize]) {
		t.Fatalf("info = %+v", info)
	}
	if _, err := os.Stat(filepath.Join(dir, "uploads", filepath.FromSlash(info.Key))); err != nil {
		t.Fatalf("file not under uploads/<account>: %v", err)
	}
	other, _ := s.Put(7, strings.NewReader("x"))
	if other.Key == info.Key || string(other.Head) != "x" {
		t.Fatalf("second put = %+v", other)
	}
	f, err := s.Open(info.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	// Keys that are not the store's own shape never reach the file system.
	for _, k := range []string{"../secret_key", "7/../../x", "7/" + strings.Repeat("g", 32), "x/" + strings.Repeat("a", 32), "07/" + info.Key[2:], ""} {
		if _, err := s.Open(k); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) = %v", k, err)
		}
		if err := s.Remove(k); err == nil {
			t.Errorf("Remove(%q) accepted", k)
		}
	}
	if err := s.Remove(info.Key, info.Key); err != nil {
		t.Fatalf("remove twice: %v", err)
	}
	if _, err := s.Open(info.Key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("removed file opens: %v", err)
	}
}

// A failed copy leaves no file behind.
func TestPutFailure(t *testing.T) {
	dir := t.TempDir()
	s := blob.New(dir)
	boom := errors.New("client went away")
	if _, err := s.Put(1, io.MultiReader(strings.NewReader("partial"), errReader{boom})); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "uploads", "1"))
	if len(entries) != 0 {
		t.Fatalf("%d files left after a failed put", len(entries))
	}
	if _, err := blob.New("").Put(1, strings.NewReader("x")); !errors.Is(err, blob.ErrNoStore) {
		t.Fatalf("store without a directory: %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	s := blob.New(dir)
	put := func(account int64, age time.Duration) string {
		info, err := s.Put(account, strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		os.Chtimes(filepath.Join(dir, "uploads", filepath.FromSlash(info.Key)), old, old)
		return info.Key
	}
	kept := put(1, 2*time.Hour)   // old and referenced
	orphan := put(1, 2*time.Hour) // old and unreferenced
	fresh := put(1, time.Minute)  // unreferenced but too young (its transaction may be running)
	gone := put(2, 3*time.Hour)   // the only file of a deleted account
	var asked []int64
	n, err := s.Sweep(context.Background(), time.Hour, func(_ context.Context, account int64, keys []string) (map[string]bool, error) {
		asked = append(asked, account)
		out := map[string]bool{}
		for _, k := range keys {
			if k == kept {
				out[k] = true
			}
		}
		return out, nil
	})
	if err != nil || n != 2 {
		t.Fatalf("swept %d, %v; want 2", n, err)
	}
	for key, want := range map[string]bool{kept: true, orphan: false, fresh: true, gone: false} {
		_, err := s.Open(key)
		if (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", key, err == nil, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "uploads", "2")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("the emptied account directory is still there")
	}
	if len(asked) != 2 {
		t.Fatalf("asked about accounts %v", asked)
	}
	// Nothing uploaded yet: nothing to do.
	if n, err := blob.New(t.TempDir()).Sweep(context.Background(), time.Hour, nil); n != 0 || err != nil {
		t.Fatalf("empty sweep = %d %v", n, err)
	}
}
