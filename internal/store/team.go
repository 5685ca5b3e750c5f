package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/criachat/criachat/internal/criachat"
)

const teamColumns = `t.id, t.account_id, t.name, t.description, t.allow_auto_assign, t.created_at, t.updated_at`

type teamScan struct {
	t                criachat.Team
	description      sql.NullString
	created, updated int64
}

func (s *teamScan) dest() []any {
	return []any{&s.t.ID, &s.t.AccountID, &s.t.Name, &s.description, &s.t.AllowAutoAssign, &s.created, &s.updated}
}

func (s *teamScan) team() *criachat.Team {
	t := s.t
	t.Description = optString(s.description)
	t.CreatedAt, t.UpdatedAt = fromMicros(s.created), fromMicros(s.updated)
	return &t
}

// teamNameTaken is Chatwoot's RecordInvalid error for a duplicate team name.
func teamNameTaken(err error) error {
	if errors.Is(err, ErrUnique) {
		return &criachat.Error{Code: criachat.ECONFLICT, Message: "Name has already been taken", Attributes: []string{"name"}, Err: err}
	}
	return err
}

// CreateTeam validates and inserts t. A name the account already uses is ECONFLICT.
func (q *Queries) CreateTeam(ctx context.Context, t *criachat.Team) error {
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	now := q.now().UTC().Truncate(timePrecision)
	t.CreatedAt, t.UpdatedAt = now, now
	err := q.queryRow(ctx, `INSERT INTO teams (account_id, name, description, allow_auto_assign, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		t.AccountID, t.Name, nullable(t.Description), t.AllowAutoAssign, micros(now), micros(now)).Scan(&t.ID)
	return teamNameTaken(q.d.translate(err))
}

// Team returns one of an account's teams.
func (q *Queries) Team(ctx context.Context, accountID, id int64) (*criachat.Team, error) {
	var s teamScan
	if err := q.scanOne(q.queryRow(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.account_id = ? AND t.id = ?`,
		accountID, id), "team", s.dest()...); err != nil {
		return nil, err
	}
	return s.team(), nil
}

// Teams lists an account's teams by id.
func (q *Queries) Teams(ctx context.Context, accountID int64) ([]*criachat.Team, error) {
	return q.teams(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.account_id = ? ORDER BY t.id`, accountID)
}

const (
	teamsByIDs = `SELECT ` + teamColumns + ` FROM teams t WHERE t.account_id = ? AND t.id IN (` + idsToken + `) ORDER BY t.id`
)

// TeamsByIDs loads the account's teams among ids in one query, keyed by id.
// Ids of other accounts' teams or of no team are left out.
func (q *Queries) TeamsByIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]*criachat.Team, error) {
	out := make(map[int64]*criachat.Team, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := q.teams(ctx, q.withIDs(teamsByIDs), accountID, jsonList(ids))
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		out[t.ID] = t
	}
	return out, nil
}

func (q *Queries) teams(ctx context.Context, query string, args ...any) ([]*criachat.Team, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*criachat.Team{}
	for rows.Next() {
		var s teamScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, err
		}
		out = append(out, s.team())
	}
	return out, rows.Err()
}

// UpdateTeam validates and saves every field of t.
func (q *Queries) UpdateTeam(ctx context.Context, t *criachat.Team) error {
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	t.UpdatedAt = q.now().UTC().Truncate(timePrecision)
	res, err := q.exec(ctx, `UPDATE teams SET name = ?, description = ?, allow_auto_assign = ?, updated_at = ?
		WHERE account_id = ? AND id = ?`,
		t.Name, nullable(t.Description), t.AllowAutoAssign, micros(t.UpdatedAt), t.AccountID, t.ID)
	if err != nil {
		return teamNameTaken(err)
	}
	return affectedOne(res, "team")
}

// DeleteTeam deletes one of an account's teams and, by cascade, its memberships.
func (q *Queries) DeleteTeam(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM teams WHERE account_id = ? AND id = ?`, accountID, id)
	if err != nil {
		return err
	}
	return affectedOne(res, "team")
}

// IsTeamMember reports whether a user is a member of a team.
func (q *Queries) IsTeamMember(ctx context.Context, teamID, userID int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM team_members WHERE team_id = ? AND user_id = ?`, teamID, userID).Scan(&n)
	return n > 0, q.d.translate(err)
}

// TeamIDsOfUser lists the ids of the account's teams a user is a member of.
func (q *Queries) TeamIDsOfUser(ctx context.Context, accountID, userID int64) ([]int64, error) {
	return q.int64Column(ctx, `SELECT team_id FROM team_members WHERE account_id = ? AND user_id = ? ORDER BY team_id`, accountID, userID)
}

// int64Column runs a query that selects one integer column.
func (q *Queries) int64Column(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

const (
	membersAmong = `SELECT user_id FROM account_users WHERE account_id = ? AND user_id IN (` + idsToken + `) ORDER BY user_id`
)

// MembersAmong returns which of the users are members of the account, in one query.
func (q *Queries) MembersAmong(ctx context.Context, accountID int64, userIDs []int64) ([]int64, error) {
	if len(userIDs) == 0 {
		return []int64{}, nil
	}
	return q.int64Column(ctx, q.withIDs(membersAmong), accountID, jsonList(userIDs))
}

// TeamMembers lists a team's members as agents of the account, in the order
// they joined, in one query.
func (q *Queries) TeamMembers(ctx context.Context, accountID, teamID int64) ([]criachat.Agent, error) {
	return q.agents(ctx, `SELECT `+userColumns+`, `+memberColumns+` FROM team_members tm
		JOIN account_users m ON m.account_id = tm.account_id AND m.user_id = tm.user_id
		JOIN users u ON u.id = tm.user_id
		WHERE tm.account_id = ? AND tm.team_id = ? ORDER BY tm.id`, accountID, teamID)
}

const (
	// The ids are inserted in the order given, so members list in the order they were added.
	addTeamMembers = `INSERT INTO team_members (account_id, team_id, user_id, created_at, updated_at)
		SELECT m.account_id, ?, m.user_id, ?, ? FROM account_users m WHERE m.account_id = ? AND m.user_id = ?
		ON CONFLICT (team_id, user_id) DO NOTHING RETURNING user_id`
	removeTeamMembers = `DELETE FROM team_members WHERE account_id = ? AND team_id = ? AND user_id IN (` + idsToken + `)`
	keepTeamMembers   = `DELETE FROM team_members WHERE account_id = ? AND team_id = ? AND user_id NOT IN (` + idsToken + `)`
	teamAgentsAmong   = `SELECT ` + userColumns + `, ` + memberColumns + ` FROM account_users m
		JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.user_id IN (` + idsToken + `)`
)

// AddTeamMembers adds the account's users among userIDs to one of its teams
// and returns the agents that were not members before, in the order of
// userIDs. Users outside the account and current members are skipped.
func (q *Queries) AddTeamMembers(ctx context.Context, accountID, teamID int64, userIDs []int64) ([]criachat.Agent, error) {
	if _, err := q.Team(ctx, accountID, teamID); err != nil {
		return nil, err
	}
	return q.addTeamMembers(ctx, accountID, teamID, userIDs)
}

func (q *Queries) addTeamMembers(ctx context.Context, accountID, teamID int64, userIDs []int64) ([]criachat.Agent, error) {
	if len(userIDs) == 0 {
		return []criachat.Agent{}, nil
	}
	userIDs = uniqueIDs(userIDs)
	now := micros(q.now().UTC().Truncate(timePrecision))
	// One insert per id keeps the request order in the members list.
	var added []int64
	for _, id := range userIDs {
		got, err := q.int64Column(ctx, addTeamMembers, teamID, now, now, accountID, id)
		if err != nil {
			return nil, err
		}
		added = append(added, got...)
	}
	if len(added) == 0 {
		return []criachat.Agent{}, nil
	}
	agents, err := q.agents(ctx, q.withIDs(teamAgentsAmong), accountID, jsonList(added))
	if err != nil {
		return nil, err
	}
	order := make(map[int64]int, len(userIDs))
	for i, id := range userIDs {
		order[id] = i
	}
	slices.SortFunc(agents, func(a, b criachat.Agent) int { return order[a.User.ID] - order[b.User.ID] })
	return agents, nil
}

// RemoveTeamMembers removes users from one of the account's teams; users who
// are not members are ignored.
func (q *Queries) RemoveTeamMembers(ctx context.Context, accountID, teamID int64, userIDs []int64) error {
	if _, err := q.Team(ctx, accountID, teamID); err != nil {
		return err
	}
	_, err := q.exec(ctx, q.withIDs(removeTeamMembers), accountID, teamID, jsonList(userIDs))
	return err
}

// SetTeamMembers makes the account's users among userIDs the team's only
// members and returns all its members.
func (q *Queries) SetTeamMembers(ctx context.Context, accountID, teamID int64, userIDs []int64) ([]criachat.Agent, error) {
	if _, err := q.Team(ctx, accountID, teamID); err != nil {
		return nil, err
	}
	if _, err := q.exec(ctx, q.withIDs(keepTeamMembers), accountID, teamID, jsonList(userIDs)); err != nil {
		return nil, err
	}
	if _, err := q.addTeamMembers(ctx, accountID, teamID, userIDs); err != nil {
		return nil, err
	}
	return q.TeamMembers(ctx, accountID, teamID)
}
