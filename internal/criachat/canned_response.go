package criachat

import (
	"strings"
	"time"
)

// CannedResponse is a saved reply agents insert by its short code.
type CannedResponse struct {
	ID        int64
	AccountID int64
	ShortCode string
	Content   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks a canned response before it is stored.
func (c *CannedResponse) Validate() error {
	switch {
	case strings.TrimSpace(c.ShortCode) == "":
		return Invalid("Short code can't be blank", "short_code")
	case strings.TrimSpace(c.Content) == "":
		return Invalid("Content can't be blank", "content")
	}
	return nil
}

// CannedResponseRank orders search results the way Chatwoot does: a short code
// that starts with the search term first, then one that contains it, then a
// match in the content. 0 means no match. Matching is case-insensitive.
func CannedResponseRank(c *CannedResponse, search string) int {
	term := strings.ToLower(search)
	code := strings.ToLower(c.ShortCode)
	switch {
	case strings.HasPrefix(code, term):
		return 3
	case strings.Contains(code, term):
		return 2
	case strings.Contains(strings.ToLower(c.Content), term):
		return 1
	}
	return 0
}
