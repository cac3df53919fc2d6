"""dashboard: anonymous funnel counts (back-filled), coordinators, dashboard logins and sessions

Revision ID: 0002_dashboard
Revises: 0001
Create Date: 2026-11-29 23:50:00

The back-fill counts what the database still holds when the migration runs: conversations (first
contact), assessments (interview finished and reading; their motivation and territory), leads (qualified,
lead) and the leads' history (claimed, contacted, alliance formed). What /forget or the retention purge
deleted before this migration cannot be recovered; from now on each event adds its own count. Months are
taken in Europe/Madrid, the programme's default time zone.
"""
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0002_dashboard'
down_revision = '0001'
branch_labels = None
depends_on = None

ZONE = ZoneInfo("Europe/Madrid")
SIZES = {"territory": 64, "language": 8, "motivation": 16, "aim": 32}


def upgrade() -> None:
    op.create_table('funnel_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('territory', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('motivation', sa.String(length=16), nullable=False),
    sa.Column('aim', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period', 'step', 'territory', 'language', 'motivation', 'aim',
                        name='uq_funnel_count_key')
    )
    op.create_table('coordinator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('telegram_user_id')
    )
    op.create_table('web_login',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_table('web_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_telegram_user_id'), ['telegram_user_id'], unique=False)
    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_telegram_user_id'))
    op.drop_table('web_session')
    op.drop_table('web_login')
    op.drop_table('coordinator')
    op.drop_table('funnel_count')


# ------------------------------------------------------------------ back-fill
def _period(value) -> str | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZONE).strftime("%Y-%m")


def _clean(name: str, value) -> str:
    if value in (None, "", "skipped") or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()[:SIZES[name]]


def _json(value):
    if isinstance(value, str):
        import json

        try:
            return json.loads(value)
        except ValueError:
            return {}
    return value or {}


def _qualifies(answers: dict, readiness) -> bool:
    """The default thresholds of config.yml (handoff.min_readiness 2.5, an objective required)."""
    return (isinstance(readiness, int | float) and readiness >= 2.5
            and answers.get("objective") not in (None, "", "skipped", "other"))


def backfill(conn) -> Counter:
    counts: Counter = Counter()

    def add(step: str, when, territory=None, language=None, motivation=None, aim=None) -> None:
        period = _period(when)
        if period is not None:
            counts[(period, step, _clean("territory", territory), _clean("language", language),
                    _clean("motivation", motivation), _clean("aim", aim))] += 1

    meta = sa.MetaData()
    conversation = sa.Table("conversation", meta, autoload_with=conn)
    assessment = sa.Table("assessment", meta, autoload_with=conn)
    entity = sa.Table("entity", meta, autoload_with=conn)
    lead = sa.Table("lead", meta, autoload_with=conn)
    lead_event = sa.Table("lead_event", meta, autoload_with=conn)
    for created_at, language in conn.execute(sa.select(conversation.c.created_at, conversation.c.language)):
        add("first_contact", created_at, language=language)
    rows = conn.execute(sa.select(assessment.c.created_at, assessment.c.language, assessment.c.motivation,
                                  assessment.c.answers, assessment.c.readiness_overall, entity.c.territory)
                        .select_from(assessment.outerjoin(entity, assessment.c.entity_id == entity.c.id)))
    for created_at, language, motivation, answers, readiness, territory in rows:
        answers = _json(answers)
        territory = territory or answers.get("territory")
        add("interview_finished", created_at, territory, language, motivation)
        add("reading", created_at, territory, language, motivation)
        if _qualifies(answers, readiness):
            add("qualified", created_at, territory, language, motivation, answers.get("objective"))
    leads = {}
    rows = conn.execute(sa.select(lead.c.id, lead.c.created_at, lead.c.language, lead.c.dossier, entity.c.territory)
                        .select_from(lead.outerjoin(entity, lead.c.entity_id == entity.c.id)))
    for lead_id, created_at, language, dossier, territory in rows:
        dossier = _json(dossier)
        answers = dossier.get("answers") or {}
        dims = (territory or (dossier.get("entity") or {}).get("territory") or answers.get("territory"),
                language, dossier.get("motivation"), answers.get("objective"))
        leads[lead_id] = dims
        add("lead", created_at, *dims)
    steps = {"claimed": "claimed", "contacted": "contacted", "closed:alliance_formed": "alliance_formed"}
    rows = conn.execute(sa.select(lead_event.c.lead_id, lead_event.c.action, lead_event.c.created_at)
                        .where(lead_event.c.action.in_(list(steps))))
    for lead_id, action, created_at in rows:
        add(steps[action], created_at, *leads.get(lead_id, (None, None, None, None)))
    if counts:
        table = sa.Table("funnel_count", meta, autoload_with=conn)
        conn.execute(table.insert(), [
            {"period": p, "step": s, "territory": t, "language": la, "motivation": m, "aim": a, "count": n}
            for (p, s, t, la, m, a), n in sorted(counts.items())])
    return counts
