// Package blob keeps uploaded files on the local disk, under
// <data dir>/uploads/<account id>/<random name>. A file's key is
// "<account id>/<random name>"; the database row that names it is written
// after the file (and in the same transaction as what it belongs to), so a
// file can exist without a row but never the other way round. Sweep removes
// the files that no row names any more.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// HeadSize is how many leading bytes Put returns for content sniffing
// (http.DetectContentType reads at most 512).
const HeadSize = 512

// Store is a directory of uploaded files.
type Store struct {
	root string
}

// New returns the file store under dataDir/uploads. An empty dataDir gives a
// store that refuses writes (servers built without a data directory).
func New(dataDir string) *Store {
	if dataDir == "" {
		return &Store{}
	}
	return &Store{root: filepath.Join(dataDir, "uploads")}
}

// Info describes a stored file.
type Info struct {
	Key  string
	Size int64
	Head []byte // the first HeadSize bytes (fewer for a shorter file)
}

// ErrNoStore is returned by writes to a store without a directory.
var ErrNoStore = errors.New("blob: no data directory configured")

// Put copies r into a new file of the account under a random name and
// syncs it. On error nothing is left behind.
func (s *Store) Put(accountID int64, r io.Reader) (Info, error) {
	if s.root == "" {
		return Info{}, ErrNoStore
	}
	dir := filepath.Join(s.root, strconv.FormatInt(accountID, 10))
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Info{}, err
	}
	name := hex.EncodeToString(b[:])
	var f *os.File
	var err error
	for try := 0; try < 2; try++ { // a sweep may remove the empty directory in between: once more
		if err = os.MkdirAll(dir, 0o750); err != nil {
			return Info{}, err
		}
		f, err = os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return Info{}, err
	}
	info := Info{Key: strconv.FormatInt(accountID, 10) + "/" + name}
	head := &headWriter{max: HeadSize}
	info.Size, err = io.Copy(f, io.TeeReader(r, head))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(dir) // the new name must survive a crash as well as the bytes
	}
	if err != nil {
		os.Remove(f.Name())
		return Info{}, err
	}
	info.Head = head.buf
	return info, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	buf []byte
	max int
}

func (h *headWriter) Write(p []byte) (int, error) {
	if room := h.max - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// path checks a key's shape and returns its file path.
func (s *Store) path(key string) (string, error) {
	account, name, ok := strings.Cut(key, "/")
	if s.root == "" || !ok || !validAccount(account) || !validName(name) {
		return "", fmt.Errorf("blob: invalid key %q", key)
	}
	return filepath.Join(s.root, account, name), nil
}

func validAccount(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0 && strconv.FormatInt(n, 10) == s
}

func validName(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Open opens a stored file for reading. A missing file is fs.ErrNotExist.
func (s *Store) Open(key string) (*os.File, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, fs.ErrNotExist
	}
	return os.Open(p)
}

// Remove deletes stored files; files already gone are not an error.
func (s *Store) Remove(keys ...string) error {
	var errs []error
	for _, k := range keys {
		p, err := s.path(k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Referenced reports which of an account's keys are still named by a row.
type Referenced func(ctx context.Context, accountID int64, keys []string) (map[string]bool, error)

// sweepBatch is how many keys one Referenced call checks.
const sweepBatch = 500

// Sweep removes the files older than grace that referenced does not know,
// and the account directories left empty. grace must exceed the longest
// request: a file is written before the transaction that names it commits.
// It returns how many files it removed.
func (s *Store) Sweep(ctx context.Context, grace time.Duration, referenced Referenced) (int, error) {
	if s.root == "" {
		return 0, nil
	}
	accounts, err := os.ReadDir(s.root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-grace)
	removed := 0
	for _, d := range accounts {
		if !d.IsDir() || !validAccount(d.Name()) {
			continue
		}
		accountID, _ := strconv.ParseInt(d.Name(), 10, 64)
		n, err := s.sweepAccount(ctx, accountID, cutoff, referenced)
		removed += n
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

func (s *Store) sweepAccount(ctx context.Context, accountID int64, cutoff time.Time, referenced Referenced) (int, error) {
	dir := filepath.Join(s.root, strconv.FormatInt(accountID, 10))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var old []string
	for _, e := range entries {
		if e.IsDir() || !validName(e.Name()) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(cutoff) {
			old = append(old, strconv.FormatInt(accountID, 10)+"/"+e.Name())
		}
	}
	removed := 0
	for start := 0; start < len(old); start += sweepBatch {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		batch := old[start:min(start+sweepBatch, len(old))]
		known, err := referenced(ctx, accountID, batch)
		if err != nil {
			return removed, err
		}
		for _, k := range batch {
			if known[k] {
				continue
			}
			if err := s.Remove(k); err != nil {
				return removed, err
			}
			removed++
		}
	}
	if removed == len(entries) {
		os.Remove(dir) // only succeeds when empty; a new upload may have arrived
	}
	return removed, nil
}
