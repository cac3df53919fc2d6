"""Issue #31, fourth pass: rules that read the driver rather than the vocabulary.

Sentences written for these tests (none from an evaluation set): a logistics question beside a statement,
an answer that lists both sides and says it does not know yet what moves it, a threat sold as an
opportunity, a crisis that is over ("ara estem sanejats"), a single provider, a decree the entity cannot
pay, "som quatre gats", and a partner who brings what the entity lacks.
"""

from __future__ import annotations

import pytest

from actions.classifier import classify
from actions.motivation import read_motivation, reasons


@pytest.mark.parametrize("lang, text", [
    ("ca", "a quina hora comença dijous? portaré el projector de l'entitat"),
    ("es", "¿hay aparcamiento cerca? vendremos en furgoneta con material del proyecto"),
    ("en", "does the room have wifi? I wanted to show a presentation of our project"),
    ("en", "what time does it start on thursday? I'll bring our projector"),
])
def test_a_logistics_question_beside_a_statement_is_unclear(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"


@pytest.mark.parametrize("lang, text", [
    ("ca", "de tot una mica: calers, projectes, ganes de canviar... no sabem ben be que ens mou, ja us direm"),
    ("es", "pues diner, proyectos nuevos, la junta... aun no lo hemos hablado, ya os diremos"),
    ("en", "funding worries, new ideas, the board's plans... honestly we haven't decided what it is yet"),
])
def test_both_sides_without_commitment_stay_unclear(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"


@pytest.mark.parametrize("lang, text", [
    ("ca", "ho venem com una oportunitat de creixer, pero la veritat es que sense una fusio tanquem a l'estiu"),
    ("es", "lo vendemos como un proyecto de crecimiento pero si no nos juntamos con otra entidad cerramos este año"),
    ("en", "we sell it as a growth opportunity but without a merger we close by summer"),
])
def test_a_threat_sold_as_an_opportunity_is_reactive(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


def test_a_crisis_that_is_over_is_not_todays_driver():
    text = "fa quatre anys vam estar a punt de tancar per deutes, pero ara estem sanejats i volem obrir un taller nou a Reus"
    assert classify(text, lang="ca").motivation == "proactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "l'ajuntament vol un sol proveidor per tot el servei d'atencio domiciliaria"),
    ("es", "la diputacion quiere un unico proveedor para todo el servicio de teleasistencia"),
    ("en", "the county wants a single provider for the whole home care contract"),
    ("en", "the council will only deal with the federation from now on, not with small groups"),
])
def test_a_single_provider_is_a_threat(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "el nou decret ens obliga a tenir una infermera de nit i aixo no ho podem pagar"),
    ("es", "con la nueva normativa hace falta una enfermera de noche y eso no lo podemos pagar"),
    ("en", "the new regulation requires a night nurse and we cannot afford it"),
])
def test_a_rule_the_entity_cannot_pay_is_a_threat(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "som quatre gats i ara el districte nomes vol parlar amb federacions"),
    ("es", "somos cuatro gatos y el distrito ya solo quiere hablar con federaciones grandes"),
    ("en", "we're a tiny outfit and the district now only talks to the big federations"),
])
def test_being_tiny_before_an_administration_is_a_threat(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "Els comptes van be. Volem fer un casal d'estiu inclusiu amb una entitat de lleure adaptat, perque nosaltres no en tenim l'experiencia."),
    ("es", "Las cuentas estan bien. Queremos hacer un campamento inclusivo con una entidad de ocio adaptado, porque nosotros no tenemos esa experiencia."),
    ("en", "Money is fine. We want to run an inclusive holiday club with a disability sports charity, because we don't have that experience."),
    ("en", "there's a group that does exactly what we're missing, the employment side"),
    ("ca", "hi ha una cooperativa que fa just el que ens falta, la part d'insercio laboral"),
])
def test_a_partner_who_brings_what_the_entity_lacks_is_proactive(lang, text):
    assert classify(text, lang=lang).motivation == "proactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "el concurs nou es un unic lot gegant, impossible per a nosaltres sols"),
    ("es", "la nueva licitacion es un unico lote enorme, imposible para nosotros solos"),
    ("en", "the new tender is one huge lot, impossible for us on our own"),
])
def test_what_cannot_be_done_alone_is_the_threat_when_there_is_no_project(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


def test_what_cannot_be_done_alone_is_the_project_when_there_is_one():
    text = "ens han retallat la subvencio i tenim un projecte nou que sols no podem tirar endavant"
    assert classify(text, lang="ca").motivation == "mixed"


@pytest.mark.parametrize("lang, text", [
    ("ca", "perdem el contracte del servei de neteja si no ens presentem amb algu, i de pas voldriem provar un model nou de formacio"),
    ("es", "perdemos el contrato de limpieza si no vamos con alguien, y de paso queremos probar un modelo nuevo de formacion"),
])
def test_a_threat_and_a_new_model_are_mixed(lang, text):
    assert classify(text, lang=lang).motivation == "mixed"


@pytest.mark.parametrize("lang, text", [
    ("ca", "ho veiem com una oportunitat per seguir en peu d'aqui a tres anys"),
    ("es", "lo vemos como una oportunidad para seguir abiertos dentro de dos años"),
    ("en", "we see it as a chance to stay afloat for the next few years"),
])
def test_an_opportunity_to_keep_existing_is_a_threat(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "voldriem saber mes coses"),
    ("es", "queremos conocer mas"),
    ("en", "we'd like to find out more"),
])
def test_wanting_to_know_more_is_no_driver(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"


@pytest.mark.parametrize("lang, text", [
    ("ca", "ens quedem sense el local al juny i, ja que ens hem de moure, volem muntar un espai compartit amb altres dues entitats per fer un projecte nou"),
    ("es", "nos quedamos sin local en junio y, ya que nos movemos, queremos montar un espacio compartido con otras dos entidades para un proyecto nuevo"),
    ("en", "we lose the hall in June and, since we have to move anyway, we want to set up a shared space with two other groups for a new project"),
])
def test_premises_lost_and_a_new_project_are_mixed(lang, text):
    assert classify(text, lang=lang).motivation == "mixed"


@pytest.mark.parametrize("lang, text", [
    ("ca", "la diputacio nomes donara ajuts a projectes supramunicipals, i nosaltres som d'un sol poble"),
    ("ca", "volem que el departament ens escolti quan fa els plecs, ara mateix no comptem per res"),
    ("ca", "es una oportunitat de creixer, diuen, pero nosaltres ho fem perque sino tanquem"),
])
def test_funding_rules_voice_and_what_they_do_it_for_are_threats(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "diners, projectes nous, pes davant l'ajuntament... tot i res, encara estem pensant-hi"),
    ("es", "dinero, proyectos nuevos, peso ante el ayuntamiento... de todo y de nada, aun le estamos dando vueltas"),
    ("en", "money, new projects, clout with the council... everything and nothing, we're still mulling it over"),
])
def test_a_list_of_both_sides_still_being_mulled_over_is_unclear(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"


@pytest.mark.parametrize("lang, text", [
    ("ca", "creixer o morir, no hi ha mes"),
    ("es", "crecer o morir, no hay otra"),
    ("en", "grow or die, simple as that"),
])
def test_grow_or_die_is_a_threat_not_a_mix(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


def test_what_pushes_them_outweighs_the_ideas_they_also_have():
    text = "even though we have plenty of ideas, what's pushing us now is the bank won't renew our overdraft"
    assert classify(text, lang="en").motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "tenim problemes i tambe idees, com tothom, pero no ens hem plantejat res"),
    ("es", "tenemos problemas y tambien ideas, como todos, pero no nos hemos planteado nada"),
    ("en", "we have problems and ideas too, like everyone, but we haven't thought about any of it"),
])
def test_problems_and_ideas_not_yet_thought_about_are_unclear(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"


@pytest.mark.parametrize("lang, text", [
    ("ca", "fa 3 anys l'ajuntament ens va retallar molt, pero ja hem remuntat i ara tenim ganes d'obrir un servei nou de mediacio amb una altra entitat"),
    ("es", "hace 3 años el ayuntamiento nos recorto mucho, pero ya remontamos y ahora tenemos ganas de abrir un servicio nuevo de mediacion con otra entidad"),
    ("en", "3 years ago the council cut us a lot, but we've bounced back and now we're keen to open a new mediation service with another charity"),
])
def test_a_cut_they_have_bounced_back_from_is_not_todays_driver(lang, text):
    assert classify(text, lang=lang).motivation == "proactive"


def test_not_growing_for_its_own_sake_leaves_the_problem_as_the_driver():
    text = "no queremos crecer por crecer, el problema es que nuestro unico financiador se va el año que viene"
    assert classify(text, lang="es").motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("es", "creemos mucho en el trabajo en red, es nuestro ADN"),
    ("en", "can we join the session online? we're quite far away"),
])
def test_a_belief_in_networking_or_joining_online_is_no_driver(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"


@pytest.mark.parametrize("lang, text", [
    ("ca", "ens han retallat la subvencio a la meitat i encara no sabem que farem"),
    ("es", "el banco nos ha cerrado la poliza, lo estamos hablando en la junta pero pinta muy mal"),
    ("en", "the council has cut our grant in half and we're not sure yet what we'll do"),
    ("en", "the bank pulled our overdraft, we're still discussing it but it looks grim"),
])
def test_unsure_what_to_do_about_a_stated_threat_is_still_reactive(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "el tema de la crisi, els projectes, la xarxa... ho volem parlar amb vosaltres"),
    ("es", "un poco de dinero, un poco de ideas... no se, aun no lo tenemos claro"),
])
def test_bare_words_of_a_side_with_a_hedge_stay_unclear(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"


def test_phone_shorthand_is_read_whole():
    from actions.classifier import tokenized

    assert tokenized("es q volem, pq tb") == "es que volem perque tambe"


@pytest.mark.parametrize("lang, text", [
    ("ca", "tenim molts projectes, pero la veritat es q el que ens preocupa es perdre el conveni"),
    ("es", "tenemos muchos proyectos, pero la verdad es q lo que nos preocupa es perder el convenio"),
])
def test_what_worries_them_after_a_but_is_the_driver_even_typed_short(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "volem optimitzar recursos perque el financament ha caigut un 25%"),
    ("es", "queremos optimizar recursos porque la financiacion ha caido un 25%"),
    ("en", "we want to optimise resources because funding has fallen by 25%"),
])
def test_the_reason_given_for_a_managerial_wish_is_the_driver(lang, text):
    result = read_motivation(answers={}, text=text, lang=lang)
    assert result.motivation == "reactive"
    why = reasons(result.evidence, result.motivation, lang, result.dominant)
    assert why and all("optimi" not in phrase for phrase in why)


@pytest.mark.parametrize("lang, text", [
    ("en", "we want to partner with another charity because the families we serve are struggling"),
    ("ca", "volem col·laborar amb altres entitats perquè sols no arribem a tot"),
])
def test_a_reason_about_the_people_served_or_doing_it_alone_is_not_a_threat(lang, text):
    assert classify(text, lang=lang).motivation == "proactive"


@pytest.mark.parametrize("lang, text", [
    ("en", "a merger is an opportunity, above all so we don't lose staff we can't pay right now"),
    ("es", "es una cuestion de sostenibilidad: con nuestra estructura sola no somos viables"),
    ("en", "it's a sustainability question: with our structure on its own we're not viable"),
])
def test_a_cue_that_holds_its_own_negation_is_not_undone(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "la nostra subvencio depen de treballar en xarxa a partir de l'any que ve, aixo ho demana la convocatoria"),
    ("es", "nuestra subvencion depende de trabajar en red a partir del año que viene, lo pide la convocatoria"),
    ("en", "from next year our grant depends on working in partnership, the call requires it"),
])
def test_a_grant_conditional_on_partnering_is_a_pressure(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


def test_a_call_that_asks_for_partners_beside_a_project_is_the_project():
    text = "the Erasmus call requires partners from three countries and we have a great idea for a youth exchange"
    assert classify(text, lang="en").motivation == "proactive"


@pytest.mark.parametrize("lang, text", [
    ("en", "we'd like to work with other groups to give the families a more complete service"),
    ("ca", "ens agradaria col·laborar amb la coope del costat per fer formacio i feina alhora"),
    ("es", "queremos colaborar con otras entidades para ofrecer un acompañamiento mas completo a las familias"),
])
def test_one_fuller_service_from_two_entities_is_a_project(lang, text):
    assert classify(text, lang=lang).motivation == "proactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "tot i les retallades de fa uns anys, avui estem estables i el que volem es aprendre d'una entitat que ja fa teatre social per portar-lo als nostres grups"),
    ("en", "despite the cuts a few years back, today we're stable and what we want is to learn from a charity that already does social theatre and bring it to our groups"),
])
def test_a_reassurance_that_goes_on_to_the_project_is_not_background(lang, text):
    assert classify(text, lang=lang).motivation == "proactive"


@pytest.mark.parametrize("lang, text", [
    ("ca", "la licitacio ens obliga a anar amb algu i, ja posats, tenim ganes de fer un projecte d'innovacio social junts"),
    ("es", "la licitacion nos obliga a ir con alguien y, ya puestos, tenemos ganas de hacer un proyecto de innovacion social juntos"),
    ("en", "the tender forces us to go in with someone and, while we're at it, we'd love to do a social innovation project together"),
])
def test_a_tender_that_forces_and_a_project_while_at_it_are_mixed(lang, text):
    assert classify(text, lang=lang).motivation == "mixed"


@pytest.mark.parametrize("lang, text", [
    ("ca", "som quatre i el cabo i l'ajuntament ja nomes parla amb les federacions"),
    ("es", "somos cuatro y el cabo, y el ayuntamiento ya solo habla con las federaciones"),
])
def test_an_administration_that_only_talks_to_federations_is_a_threat(lang, text):
    assert classify(text, lang=lang).motivation == "reactive"


@pytest.mark.parametrize("lang, text", [
    ("en", "do we need to register each person separately?"),
    ("es", "hay que inscribir a cada persona por separado?"),
])
def test_a_practical_question_with_a_word_like_separately_is_unclear(lang, text):
    assert classify(text, lang=lang).motivation == "unclear"
