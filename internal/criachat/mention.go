package criachat

import (
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Mention records that a user was mentioned in a private note of a
// conversation (Chatwoot's Mention): one per conversation and user, with the
// time of the latest mention.
type Mention struct {
	ID             int64
	AccountID      int64
	ConversationID int64 // the conversation's internal id
	UserID         int64
	MentionedAt    time.Time
	CreatedAt      time.Time
}

// mentionLink is the target of the dashboard editor's mention links,
// "[@Name](mention://user/{id}/{url-encoded name})" and the same with
// "team": Chatwoot's Messages::MentionService pattern, which needs only the
// parenthesised part, a non-empty name and no line break inside it.
var mentionLink = regexp.MustCompile(`\(mention://(user|team)/(\d+)/(.+?)\)`)

// ParseMentions returns the user ids and the team ids that content mentions,
// each once, in the order they first appear. Ids too large for an int64 are
// skipped: they cannot name a row.
func ParseMentions(content string) (users, teams []int64) {
	for _, m := range mentionLink.FindAllStringSubmatch(content, -1) {
		id, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			continue
		}
		list := &users
		if m[1] == "team" {
			list = &teams
		}
		if !slices.Contains(*list, id) {
			*list = append(*list, id)
		}
	}
	return users, teams
}
