"""funnel by conversation (funnel_journey) and alliances by pair (alliance), both back-filled

Revision ID: 0007_funnel_journeys_alliances
Revises: 0006_action_effect
Create Date: 2026-12-07 15:10:00

The funnel counted events (a redone journey counted twice, a territory learnt late made it exceed
100 %); it now counts conversations: one `funnel_journey` row each, in the month of its first contact,
with the furthest step it reached. The back-fill reads what the database holds: conversations (first
contact, language), their entity (territory), assessments (interview finished and reading, motivation,
objective), leads and their history (lead, claimed, contacted, alliance formed). A lead whose entity was
erased becomes a row of its own with no link. First contacts of conversations the retention purge
deleted are kept from the old counts, as rows with no link and no dimensions. `funnel_count` stays as
it was (no longer written). Each lead closed with an alliance becomes an `alliance` row (partner not
recorded then), its aim mapped from the interview's objective as config.yml's default does.
"""
from collections import Counter
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0007_funnel_journeys_alliances'
down_revision = '0006_action_effect'
branch_labels = None
depends_on = None

ZONE = ZoneInfo("Europe/Madrid")
STEPS = ("first_contact", "interview_finished", "reading", "qualified", "lead", "claimed", "contacted",
         "alliance_formed")
AIMS = {"innovation": "innovation", "public_contracting": "public_contracting",
        "integral_attention": "integral_attention", "efficiency": "efficiency", "competitiveness": "efficiency",
        "voice": "public_contracting", "impact": "integral_attention", "saving_money": "efficiency"}


def upgrade() -> None:
    op.create_table('funnel_journey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('cohort', sa.String(length=7), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('territory', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('motivation', sa.String(length=16), nullable=False),
    sa.Column('aim', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id')
    )
    op.create_index(op.f('ix_funnel_journey_cohort'), 'funnel_journey', ['cohort'], unique=False)
    op.create_table('alliance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair', sa.String(length=96), nullable=False),
    sa.Column('aim', sa.String(length=32), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('partner_lead_id', sa.Integer(), nullable=True),
    sa.Column('partner_entity_id', sa.Integer(), nullable=True),
    sa.Column('partner_name', sa.String(length=200), nullable=True),
    sa.Column('formed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
              nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_entity_id'], ['entity.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_lead_id'], ['lead.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pair')
    )
    op.create_index(op.f('ix_alliance_lead_id'), 'alliance', ['lead_id'], unique=False)
    _back_fill(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f('ix_alliance_lead_id'), table_name='alliance')
    op.drop_table('alliance')
    op.drop_index(op.f('ix_funnel_journey_cohort'), table_name='funnel_journey')
    op.drop_table('funnel_journey')


def _month(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        from datetime import datetime
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZONE).strftime("%Y-%m")


def _json(value) -> dict:
    import json
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value or {})


def _clean(value, size: int) -> str:
    if value in (None, "", "skipped", "dont_know") or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()[:size]


def _back_fill(conn) -> None:
    meta = sa.MetaData()
    t = {name: sa.Table(name, meta, autoload_with=conn)
         for name in ("conversation", "entity", "assessment", "lead", "lead_event", "funnel_count",
                      "funnel_journey", "alliance")}
    conversations = conn.execute(sa.select(t["conversation"].c.id, t["conversation"].c.language,
                                           t["conversation"].c.created_at)).all()
    entity_of = {}  # conversation id -> (entity id, territory)
    for eid, cid, territory in conn.execute(sa.select(t["entity"].c.id, t["entity"].c.conversation_id,
                                                      t["entity"].c.territory)):
        if cid is not None:
            entity_of[cid] = (eid, territory)
    assessed = {}  # conversation id -> (motivation, objective), the latest
    for cid, motivation, answers in conn.execute(
            sa.select(t["assessment"].c.conversation_id, t["assessment"].c.motivation, t["assessment"].c.answers)
            .order_by(t["assessment"].c.id)):
        if cid is not None:
            assessed[cid] = (motivation, _json(answers).get("objective"))
    events: dict[int, set] = {}
    for lead_id, action in conn.execute(sa.select(t["lead_event"].c.lead_id, t["lead_event"].c.action)):
        events.setdefault(lead_id, set()).add(action)
    leads_by_entity: dict[int, list] = {}
    orphans = []
    leads = conn.execute(sa.select(t["lead"].c.id, t["lead"].c.entity_id, t["lead"].c.status, t["lead"].c.outcome,
                                   t["lead"].c.dossier, t["lead"].c.language, t["lead"].c.created_at,
                                   t["lead"].c.closed_at)).all()
    for lead in leads:
        (leads_by_entity.setdefault(lead.entity_id, []) if lead.entity_id is not None else orphans).append(lead)

    def lead_stage(lead) -> int:
        done = events.get(lead.id, set())
        if lead.outcome == "alliance_formed":
            return STEPS.index("alliance_formed")
        if lead.status == "contacted" or "contacted" in done:
            return STEPS.index("contacted")
        if lead.status == "claimed" or "claimed" in done:
            return STEPS.index("claimed")
        return STEPS.index("lead")

    rows = []
    cohorts: Counter = Counter()
    for cid, language, created in conversations:
        stage, territory, motivation, objective = 0, "", "", ""
        if cid in assessed:
            stage = STEPS.index("reading")
            motivation, objective = assessed[cid]
        if cid in entity_of:
            eid, territory = entity_of[cid]
            for lead in leads_by_entity.get(eid, []):
                stage = max(stage, lead_stage(lead))
                dossier = _json(lead.dossier)
                motivation = motivation or dossier.get("motivation")
                objective = objective or (dossier.get("answers") or {}).get("objective")
        cohort = _month(created)
        cohorts[cohort] += 1
        rows.append({"conversation_id": cid, "cohort": cohort, "stage": stage,
                     "territory": _clean(territory, 64), "language": _clean(language, 8),
                     "motivation": _clean(motivation, 16), "aim": _clean(objective, 32)})
    for lead in orphans:  # an erased entity's lead: counted, with nothing about it
        rows.append({"conversation_id": None, "cohort": _month(lead.created_at), "stage": lead_stage(lead),
                     "territory": "", "language": _clean(lead.language, 8), "motivation": "", "aim": ""})
        cohorts[_month(lead.created_at)] += 1
    fc = t["funnel_count"]
    for period, n in conn.execute(sa.select(fc.c.period, sa.func.sum(fc.c.count))
                                  .where(fc.c.step == "first_contact").group_by(fc.c.period)):
        for _ in range(max(0, int(n or 0) - cohorts[period])):  # purged conversations' first contacts
            rows.append({"conversation_id": None, "cohort": period, "stage": 0, "territory": "", "language": "",
                         "motivation": "", "aim": ""})
    if rows:
        conn.execute(t["funnel_journey"].insert(), rows)
    alliances = []
    for lead in leads:
        if lead.outcome != "alliance_formed":
            continue
        dossier = _json(lead.dossier)
        aim = AIMS.get(dossier.get("alliance_aim")) or AIMS.get((dossier.get("answers") or {}).get("objective"))
        alliances.append({"pair": f"L{lead.id}", "aim": aim or "", "lead_id": lead.id, "entity_id": lead.entity_id,
                          "formed_at": lead.closed_at or lead.created_at})
    if alliances:
        conn.execute(t["alliance"].insert(), alliances)
