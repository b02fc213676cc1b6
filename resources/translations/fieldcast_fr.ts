<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name></name>
    <message>
        <location filename="../../desktop/alerts_view.py" line="20"/>
        <source>high</source>
        <translation>élevé</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="20"/>
        <source>elevated</source>
        <translation>accru</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="22"/>
        <source>{unit}: the alert level rose to {level} since the last run.</source>
        <translation>{unit} : le niveau d&apos;alerte est passé à {level} depuis la dernière prévision.</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="28"/>
        <source>{source}: no data has been imported yet.</source>
        <translation>{source} : aucune donnée n&apos;a encore été importée.</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="31"/>
        <location filename="../../desktop/main_window.py" line="91"/>
        <source>overdue</source>
        <translation>en retard</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="31"/>
        <location filename="../../desktop/main_window.py" line="90"/>
        <source>due</source>
        <translation>attendues</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="33"/>
        <source>{source}: new data is {state} ({n} months since its last month). Import the latest data package.</source>
        <translation>{source} : de nouvelles données sont {state} ({n} mois depuis leur dernier mois). Importez le dernier paquet de données.</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="41"/>
        <source>The model {name} has expired: import a newer bundle.</source>
        <translation>Le modèle {name} a expiré : importez un bundle plus récent.</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="45"/>
        <source>The model {name} expires in {n} days: ask for a newer bundle.</source>
        <translation>Le modèle {name} expire dans {n} jours : demandez un bundle plus récent.</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="76"/>
        <source>Press Enter to show this unit</source>
        <translation>Appuyez sur Entrée pour afficher cette unité</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="79"/>
        <source>Nothing needs your attention.</source>
        <translation>Rien ne demande votre attention.</translation>
    </message>
    <message>
        <location filename="../../desktop/alerts_view.py" line="81"/>
        <source>{n} alert(s). Press Enter on a unit to show it.</source>
        <translation>{n} alerte(s). Appuyez sur Entrée sur une unité pour l&apos;afficher.</translation>
    </message>
    <message>
        <location filename="../../desktop/errors.py" line="83"/>
        <source>Something went wrong</source>
        <translation>Un problème est survenu</translation>
    </message>
    <message>
        <location filename="../../desktop/errors.py" line="86"/>
        <source>fieldcast met a problem it did not expect. Your data is safe: nothing was half-written.</source>
        <translation>fieldcast a rencontré un problème inattendu. Vos données sont intactes : rien n&apos;a été écrit à moitié.</translation>
    </message>
    <message>
        <location filename="../../desktop/errors.py" line="90"/>
        <source>(no log file)</source>
        <translation>(pas de fichier journal)</translation>
    </message>
    <message>
        <location filename="../../desktop/errors.py" line="93"/>
        <source>The details are in the log file:
{path}
Send it to your regional office.</source>
        <translation>Les détails se trouvent dans le fichier journal :
{path}
Envoyez-le à votre bureau régional.</translation>
    </message>
    <message>
        <location filename="../../desktop/errors.py" line="115"/>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <location filename="../../desktop/errors.py" line="124"/>
        <source>Dismiss</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location filename="../../desktop/errors.py" line="125"/>
        <source>Hide this message</source>
        <translation>Masquer ce message</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="88"/>
        <location filename="../../desktop/history_view.py" line="92"/>
        <location filename="../../desktop/history_view.py" line="95"/>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="88"/>
        <location filename="../../desktop/history_view.py" line="92"/>
        <location filename="../../desktop/unit_view.py" line="312"/>
        <source>Run</source>
        <translation>Prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="88"/>
        <location filename="../../desktop/unit_view.py" line="309"/>
        <location filename="../../desktop/dialogs/supervisor.py" line="137"/>
        <source>Bundle</source>
        <translation>Bundle</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="88"/>
        <location filename="../../desktop/history_view.py" line="92"/>
        <source>From</source>
        <translation>Depuis</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="88"/>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="89"/>
        <location filename="../../desktop/main_window.py" line="385"/>
        <source>Units</source>
        <translation>Unités</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="89"/>
        <location filename="../../desktop/main_window.py" line="350"/>
        <location filename="../../desktop/units_model.py" line="57"/>
        <source>Blocked</source>
        <translation>Bloquées</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="89"/>
        <location filename="../../desktop/history_view.py" line="95"/>
        <source>By</source>
        <translation>Par</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="92"/>
        <location filename="../../desktop/history_view.py" line="95"/>
        <location filename="../../desktop/units_model.py" line="105"/>
        <source>Unit</source>
        <translation>Unité</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="92"/>
        <location filename="../../desktop/history_view.py" line="96"/>
        <source>Reason</source>
        <translation>Raison</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="95"/>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="95"/>
        <source>Month</source>
        <translation>Mois</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="96"/>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="96"/>
        <source>Justification</source>
        <translation>Justification</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="98"/>
        <source>Forecast runs</source>
        <translation>Prévisions exécutées</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="99"/>
        <source>Blocks</source>
        <translation>Blocages</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="100"/>
        <location filename="../../desktop/units_model.py" line="111"/>
        <source>Overrides</source>
        <translation>Corrections</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="124"/>
        <source>(whole run)</source>
        <translation>(toute la prévision)</translation>
    </message>
    <message>
        <location filename="../../desktop/history_view.py" line="140"/>
        <source>(field estimate)</source>
        <translation>(estimation de terrain)</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="89"/>
        <source>fresh</source>
        <translation>à jour</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="92"/>
        <source>no data</source>
        <translation>aucune donnée</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="111"/>
        <source>Newest data: {month}. New data is expected every {n} month(s).</source>
        <translation>Données les plus récentes : {month}. De nouvelles données sont attendues tous les {n} mois.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="116"/>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="138"/>
        <location filename="../../desktop/main_window.py" line="222"/>
        <source>No model bundle is active.</source>
        <translation>Aucun bundle de modèle n&apos;est actif.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="141"/>
        <source>Model &amp;card</source>
        <translation>&amp;Fiche du modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="143"/>
        <source>What this model is for, how good it is, and its limits</source>
        <translation>À quoi sert ce modèle, sa qualité et ses limites</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="154"/>
        <source>Data:</source>
        <translation>Données :</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="162"/>
        <location filename="../../desktop/main_window.py" line="239"/>
        <source>Not signed in</source>
        <translation>Non connecté</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="164"/>
        <location filename="../../desktop/main_window.py" line="240"/>
        <location filename="../../desktop/main_window.py" line="473"/>
        <source>&amp;Sign in…</source>
        <translation>&amp;Se connecter…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="175"/>
        <source>Sync: not available yet. Signed sync with your regional hub arrives in a later release; until then bring data packages and bundles on a USB stick (File ▸ Import from folder).</source>
        <translation>Synchronisation : pas encore disponible. La synchronisation signée avec votre hub régional arrivera dans une version ultérieure ; d&apos;ici là, apportez paquets de données et bundles sur une clé USB (Fichier ▸ Importer depuis un dossier).</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="215"/>
        <source>(synthetic demo data)</source>
        <translation>(données de démonstration synthétiques)</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="224"/>
        <source>Import one from a folder (File ▸ Import).</source>
        <translation>Importez-en un depuis un dossier (Fichier ▸ Importer).</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="229"/>
        <source>Model &lt;b&gt;{name}&lt;/b&gt;, release {release}, valid until {until}</source>
        <translation>Modèle &lt;b&gt;{name}&lt;/b&gt;, version {release}, valable jusqu&apos;au {until}</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="191"/>
        <location filename="../../desktop/main_window.py" line="207"/>
        <source>Device: {device}</source>
        <translation>Appareil : {device}</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="244"/>
        <source>Signed in: {name} ({role})</source>
        <translation>Connecté : {name} ({role})</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="248"/>
        <source>&amp;Switch person…</source>
        <translation>&amp;Changer de personne…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="284"/>
        <source>fieldcast</source>
        <translation>fieldcast</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="314"/>
        <source>Loading the workspace…</source>
        <translation>Chargement de l&apos;espace de travail…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="321"/>
        <location filename="../../desktop/main_window.py" line="454"/>
        <source>&amp;Run forecast</source>
        <translation>&amp;Lancer la prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="322"/>
        <source>Check the inputs and run the model (Ctrl+R)</source>
        <translation>Vérifier les entrées et lancer le modèle (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="323"/>
        <location filename="../../desktop/dialogs/first_run.py" line="428"/>
        <location filename="../../desktop/dialogs/override.py" line="136"/>
        <location filename="../../desktop/dialogs/sign_in.py" line="165"/>
        <location filename="../../desktop/dialogs/sign_in.py" line="299"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="341"/>
        <source>Search units (Ctrl+F)</source>
        <translation>Rechercher des unités (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="343"/>
        <source>Search units by name</source>
        <translation>Rechercher des unités par nom</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="345"/>
        <source>Show units by status</source>
        <translation>Afficher les unités selon leur état</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="347"/>
        <source>All units</source>
        <translation>Toutes les unités</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="348"/>
        <location filename="../../desktop/units_model.py" line="55"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="349"/>
        <location filename="../../desktop/units_model.py" line="56"/>
        <source>Warning</source>
        <translation>Avertissement</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="351"/>
        <source>OK or warning</source>
        <translation>OK ou avertissement</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="354"/>
        <source>&amp;Alerts only</source>
        <translation>&amp;Alertes seulement</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="355"/>
        <source>&amp;Months ahead:</source>
        <translation>&amp;Mois à l&apos;avance :</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="358"/>
        <source>Forecast horizon in months</source>
        <translation>Horizon de prévision en mois</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="360"/>
        <source>How many months after the data the forecast is for</source>
        <translation>Combien de mois après les données porte la prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="399"/>
        <source>Loading forecasts…</source>
        <translation>Chargement des prévisions…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="415"/>
        <source>&amp;Unit</source>
        <translation>&amp;Unité</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="416"/>
        <location filename="../../desktop/main_window.py" line="720"/>
        <source>Ale&amp;rts</source>
        <translation>Ale&amp;rtes</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="417"/>
        <source>&amp;Monitoring</source>
        <translation>&amp;Suivi</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="418"/>
        <source>&amp;History</source>
        <translation>&amp;Historique</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="423"/>
        <location filename="../../desktop/main_window.py" line="615"/>
        <location filename="../../desktop/main_window.py" line="742"/>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="442"/>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="444"/>
        <source>&amp;Import from folder…</source>
        <translation>&amp;Importer depuis un dossier…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="446"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="448"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="453"/>
        <source>F&amp;orecast</source>
        <translation>P&amp;révision</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="456"/>
        <source>Re&amp;load</source>
        <translation>Re&amp;charger</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="459"/>
        <source>&amp;Override this forecast…</source>
        <translation>&amp;Corriger cette prévision…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="462"/>
        <source>&amp;Find a unit</source>
        <translation>&amp;Trouver une unité</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="472"/>
        <source>&amp;People</source>
        <translation>&amp;Personnes</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="475"/>
        <source>Supervisor &amp;controls…</source>
        <translation>&amp;Contrôles du superviseur…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="480"/>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="481"/>
        <source>&amp;Model card</source>
        <translation>&amp;Fiche du modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="567"/>
        <source>Forecasts are blocked: the safety checks of model {name} failed their self-test, so a forecast could not be trusted. Report this to your regional office; they can send a corrected bundle.</source>
        <translation>Les prévisions sont bloquées : les contrôles de sécurité du modèle {name} ont échoué à leur autotest, une prévision ne serait donc pas fiable. Signalez-le à votre bureau régional ; il peut envoyer un paquet corrigé.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="589"/>
        <source>No forecast has been run in this workspace yet. Press Run forecast.</source>
        <translation>Aucune prévision n&apos;a encore été lancée dans cet espace de travail. Appuyez sur Lancer la prévision.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="695"/>
        <source>{shown} of {total} units shown; {blocked} blocked.</source>
        <translation>{shown} unités affichées sur {total} ; {blocked} bloquées.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="718"/>
        <source>Ale&amp;rts ({n})</source>
        <translation>Ale&amp;rtes ({n})</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="742"/>
        <source>Running the forecast…</source>
        <translation>Prévision en cours…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="775"/>
        <source>Choose a unit in the table first.</source>
        <translation>Choisissez d&apos;abord une unité dans le tableau.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="779"/>
        <source>Sign in first: every override records who made it.</source>
        <translation>Connectez-vous d&apos;abord : chaque correction enregistre qui l&apos;a faite.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="121"/>
        <source>Supervisor controls</source>
        <translation>Contrôles du superviseur</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="813"/>
        <source>No model bundle is active on this device.</source>
        <translation>Aucun bundle de modèle n&apos;est actif sur cet appareil.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="847"/>
        <source>The last forecast (from {origin} data, {when}) was blocked as a whole: no numbers are shown. Choose any unit to read why.</source>
        <translation>La dernière prévision (données de {origin}, {when}) a été bloquée en entier : aucun chiffre n&apos;est affiché. Choisissez une unité pour lire pourquoi.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="856"/>
        <source>Forecast from {origin} data, run {when} by {person}: {n} units, {blocked} blocked.</source>
        <translation>Prévision à partir des données de {origin}, lancée le {when} par {person} : {n} unités, {blocked} bloquées.</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_view.py" line="35"/>
        <location filename="../../desktop/monitoring_view.py" line="66"/>
        <source>No forecast runs yet: run a forecast to see monitoring.</source>
        <translation>Pas encore de prévision : lancez une prévision pour voir le suivi.</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_plots.py" line="73"/>
        <source>Drift per feature (PSI) over recent runs</source>
        <translation>Dérive par variable (PSI) sur les dernières prévisions</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_plots.py" line="73"/>
        <source>PSI</source>
        <translation>PSI</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_plots.py" line="77"/>
        <source>Blocked units per run</source>
        <translation>Unités bloquées par prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_plots.py" line="77"/>
        <source>units</source>
        <translation>unités</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_plots.py" line="80"/>
        <source>Overrides per release</source>
        <translation>Corrections par version</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_plots.py" line="80"/>
        <source>overrides</source>
        <translation>corrections</translation>
    </message>
    <message>
        <location filename="../../desktop/monitoring_view.py" line="63"/>
        <source>The last {n} runs. Dashed lines: the drift warning and block limits.</source>
        <translation>Les {n} dernières prévisions. Lignes pointillées : les seuils d&apos;avertissement et de blocage de la dérive.</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="31"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="36"/>
        <source>A unit&apos;s alert level is the higher of two judgements: its forecast number of fatalities, and its chance of any fatality.</source>
        <translation>Le niveau d&apos;alerte d&apos;une unité est le plus élevé de deux jugements : le nombre de décès prévu, et la probabilité d&apos;au moins un décès.</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="66"/>
        <source> days</source>
        <translation> jours</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="68"/>
        <source>Elevated from (fatalities):</source>
        <translation>Accru à partir de (décès) :</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="69"/>
        <source>High from (fatalities):</source>
        <translation>Élevé à partir de (décès) :</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="70"/>
        <source>Elevated from (chance of any):</source>
        <translation>Accru à partir de (probabilité d&apos;au moins un) :</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="71"/>
        <source>High from (chance of any):</source>
        <translation>Élevé à partir de (probabilité d&apos;au moins un) :</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="72"/>
        <source>Warn before a model expires:</source>
        <translation>Avertir avant l&apos;expiration d&apos;un modèle :</translation>
    </message>
    <message>
        <location filename="../../desktop/fan_chart.py" line="158"/>
        <source>Observed</source>
        <translation>Observé</translation>
    </message>
    <message>
        <location filename="../../desktop/fan_chart.py" line="97"/>
        <location filename="../../desktop/units_model.py" line="108"/>
        <source>90% interval</source>
        <translation>Intervalle à 90 %</translation>
    </message>
    <message>
        <location filename="../../desktop/fan_chart.py" line="86"/>
        <source>Fatalities per month (log scale)</source>
        <translation>Décès par mois (échelle logarithmique)</translation>
    </message>
    <message>
        <location filename="../../desktop/fan_chart.py" line="98"/>
        <source>50% interval</source>
        <translation>Intervalle à 50 %</translation>
    </message>
    <message>
        <location filename="../../desktop/fan_chart.py" line="169"/>
        <source>Forecast (median)</source>
        <translation>Prévision (médiane)</translation>
    </message>
    <message>
        <location filename="../../desktop/fan_chart.py" line="177"/>
        <source>Override</source>
        <translation>Correction</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="53"/>
        <location filename="../../desktop/unit_view.py" line="129"/>
        <source>Choose a unit in the table to see its forecast.</source>
        <translation>Choisissez une unité dans le tableau pour voir sa prévision.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="60"/>
        <source>&amp;Override…</source>
        <translation>&amp;Corriger…</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="62"/>
        <source>Replace this forecast with your own, with a reason (recorded)</source>
        <translation>Remplacer cette prévision par la vôtre, avec une raison (enregistrée)</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="100"/>
        <source>Why this number?</source>
        <translation>Pourquoi ce chiffre ?</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="194"/>
        <source>Blocked: no forecast is shown for this unit.</source>
        <translation>Bloquée : aucune prévision n&apos;est affichée pour cette unité.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="197"/>
        <source>The checks before the forecast found a problem with its inputs.</source>
        <translation>Les vérifications avant la prévision ont trouvé un problème dans ses entrées.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="214"/>
        <source>For {month} ({ahead}) the forecast is {point} fatalities; 9 times out of 10 the outcome lies between {low} and {high}. Chance of at least one: {p}.</source>
        <translation>Pour {month} ({ahead}), la prévision est de {point} décès ; 9 fois sur 10, le résultat se situe entre {low} et {high}. Probabilité d&apos;au moins un : {p}.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="230"/>
        <source>{n} override(s) recorded; stars on the chart.</source>
        <translation>{n} correction(s) enregistrée(s) ; étoiles sur le graphique.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="242"/>
        <source>Why it is blocked</source>
        <translation>Pourquoi elle est bloquée</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="242"/>
        <source>Warnings</source>
        <translation>Avertissements</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="262"/>
        <source>Made by the model &lt;b&gt;{name}&lt;/b&gt;, release {release}, valid until {until}.</source>
        <translation>Faite par le modèle &lt;b&gt;{name}&lt;/b&gt;, version {release}, valable jusqu&apos;au {until}.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="271"/>
        <source>Made by the model bundle {id}.</source>
        <translation>Faite par le bundle de modèle {id}.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="276"/>
        <source>Forecast from {origin}, run on {at} by {person}.</source>
        <translation>Prévision à partir de {origin}, lancée le {at} par {person}.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="288"/>
        <source>Data from {source} up to {month}</source>
        <translation>Données de {source} jusqu&apos;à {month}</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="293"/>
        <source>, import {batch}</source>
        <translation>, import {batch}</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="297"/>
        <source>, imported {at}</source>
        <translation>, importées le {at}</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="304"/>
        <source>fieldcast version {version}.</source>
        <translation>fieldcast version {version}.</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="310"/>
        <source>Bundle digest</source>
        <translation>Empreinte du bundle</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="311"/>
        <source>Input data digest</source>
        <translation>Empreinte des données d&apos;entrée</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="316"/>
        <source>Import {batch} file digest</source>
        <translation>Empreinte du fichier de l&apos;import {batch}</translation>
    </message>
    <message>
        <location filename="../../desktop/unit_view.py" line="331"/>
        <source>For auditors</source>
        <translation>Pour les auditeurs</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="64"/>
        <source>Low</source>
        <translation>Faible</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="65"/>
        <source>Elevated</source>
        <translation>Accru</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="66"/>
        <source>High</source>
        <translation>Élevé</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="106"/>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="107"/>
        <source>Forecast</source>
        <translation>Prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="109"/>
        <source>Chance of any</source>
        <translation>Probabilité d&apos;au moins un</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="110"/>
        <source>Alert</source>
        <translation>Alerte</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="114"/>
        <source>The area the forecast is about</source>
        <translation>La zone sur laquelle porte la prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="115"/>
        <source>OK, Warning (read the reasons) or Blocked (no forecast shown)</source>
        <translation>OK, Avertissement (lire les raisons) ou Bloquée (aucune prévision affichée)</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="116"/>
        <source>Most likely number of fatalities (the median of the forecast)</source>
        <translation>Nombre de décès le plus probable (la médiane de la prévision)</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="117"/>
        <source>The range that holds the outcome 9 times out of 10</source>
        <translation>L&apos;intervalle qui contient le résultat 9 fois sur 10</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="118"/>
        <source>The probability of at least one fatality</source>
        <translation>La probabilité d&apos;au moins un décès</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="119"/>
        <source>Alert level against your thresholds (Settings)</source>
        <translation>Niveau d&apos;alerte selon vos seuils (Paramètres)</translation>
    </message>
    <message>
        <location filename="../../desktop/units_model.py" line="120"/>
        <source>Overrides recorded for this unit in this run</source>
        <translation>Corrections enregistrées pour cette unité dans cette prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="108"/>
        <source>A PIN is made of digits only (0 to 9).</source>
        <translation>Un code PIN ne contient que des chiffres (0 à 9).</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="109"/>
        <source>A PIN needs at least {n} digits.</source>
        <translation>Un code PIN compte au moins {n} chiffres.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="112"/>
        <source>A PIN has at most {n} digits.</source>
        <translation>Un code PIN compte au plus {n} chiffres.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="116"/>
        <source>That PIN is too easy to guess (a repeated digit, a run like 1234, or a common pattern). Choose another.</source>
        <translation>Ce code PIN est trop facile à deviner (un chiffre répété, une suite comme 1234 ou un motif courant). Choisissez-en un autre.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="122"/>
        <source>Too many wrong PINs. Wait {seconds} seconds and try again, or ask your supervisor.</source>
        <translation>Trop de codes PIN erronés. Attendez {seconds} secondes et réessayez, ou demandez à votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="126"/>
        <source>That name and PIN do not match. Check them and try again.</source>
        <translation>Ce nom et ce code PIN ne correspondent pas. Vérifiez-les et réessayez.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="128"/>
        <source>Only a supervisor can do this. Ask your supervisor to sign in.</source>
        <translation>Seul un superviseur peut faire cela. Demandez à votre superviseur de se connecter.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="139"/>
        <location filename="../../desktop/dialogs/override.py" line="378"/>
        <source>Explain the override in at least {n} characters: what you know that the model does not.</source>
        <translation>Expliquez la correction en au moins {n} caractères : ce que vous savez et que le modèle ignore.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="142"/>
        <location filename="../../desktop/dialogs/override.py" line="375"/>
        <source>Choose why you override the forecast.</source>
        <translation>Choisissez pourquoi vous corrigez la prévision.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="143"/>
        <source>Fatalities are a count: enter numbers of zero or more.</source>
        <translation>Les décès se comptent : saisissez des nombres positifs ou nuls.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="144"/>
        <location filename="../../desktop/dialogs/override.py" line="390"/>
        <source>Your range must hold your value: low ≤ value ≤ high.</source>
        <translation>Votre intervalle doit contenir votre valeur : bas ≤ valeur ≤ haut.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/common.py" line="145"/>
        <source>You are not signed in on this device. Sign in again.</source>
        <translation>Vous n&apos;êtes pas connecté sur cet appareil. Reconnectez-vous.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="138"/>
        <source>Welcome to fieldcast</source>
        <translation>Bienvenue dans fieldcast</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="140"/>
        <source>Choose where your forecasts live. You can change this later.</source>
        <translation>Choisissez où vivent vos prévisions. Vous pourrez changer cela plus tard.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="144"/>
        <source>Open the &amp;demo: made-up (synthetic) data, to learn how fieldcast works</source>
        <translation>Ouvrir la &amp;démonstration : des données inventées (synthétiques), pour apprendre à utiliser fieldcast</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="148"/>
        <source>Use &amp;my workspace folder</source>
        <translation>Utiliser &amp;mon dossier d&apos;espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="155"/>
        <source>Workspace folder</source>
        <translation>Dossier de l&apos;espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="156"/>
        <location filename="../../desktop/dialogs/first_run.py" line="161"/>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="159"/>
        <source>Optional: a bundle folder or archive</source>
        <translation>Facultatif : un dossier ou une archive de bundle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="160"/>
        <source>Model bundle</source>
        <translation>Bundle de modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="171"/>
        <source>Workspace folder:</source>
        <translation>Dossier de l&apos;espace de travail :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="172"/>
        <source>Model bundle:</source>
        <translation>Bundle de modèle :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="210"/>
        <source>Choose a workspace folder</source>
        <translation>Choisir un dossier d&apos;espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="218"/>
        <source>Choose a bundle archive</source>
        <translation>Choisir une archive de bundle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="220"/>
        <source>Bundle archives (*.tar.gz *.tgz *.tar *.zip);;All files (*)</source>
        <translation>Archives de bundle (*.tar.gz *.tgz *.tar *.zip);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="232"/>
        <source>Setting up</source>
        <translation>Mise en place</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="237"/>
        <source>Setup progress</source>
        <translation>Progression de la mise en place</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="259"/>
        <source>Building the demo workspace in {folder}…</source>
        <translation>Création de l&apos;espace de démonstration dans {folder}…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="263"/>
        <source>Opening the workspace in {folder}…</source>
        <translation>Ouverture de l&apos;espace de travail dans {folder}…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="286"/>
        <source>Ready.</source>
        <translation>Prêt.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="297"/>
        <location filename="../../desktop/dialogs/import_folder.py" line="539"/>
        <location filename="../../desktop/dialogs/override.py" line="468"/>
        <location filename="../../desktop/dialogs/sign_in.py" line="101"/>
        <location filename="../../desktop/dialogs/supervisor.py" line="375"/>
        <source>Something went wrong; the details are in the log.</source>
        <translation>Un problème est survenu ; les détails sont dans le journal.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="300"/>
        <source>The setup did not finish. Go back to choose again.</source>
        <translation>La mise en place n&apos;a pas abouti. Revenez en arrière pour faire un autre choix.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="330"/>
        <source>Demo workspace (SYNTHETIC data) in {folder}.</source>
        <translation>Espace de démonstration (données SYNTHÉTIQUES) dans {folder}.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="337"/>
        <source>Workspace in {folder}.</source>
        <translation>Espace de travail dans {folder}.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="339"/>
        <source>Checking the bundle…</source>
        <translation>Vérification du bundle…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="343"/>
        <source>Bundle {id} imported and active.</source>
        <translation>Bundle {id} importé et actif.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="354"/>
        <source>Who is the supervisor?</source>
        <translation>Qui est le superviseur ?</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="370"/>
        <source>People are already set up on this workspace. Finish, then sign in from the window.</source>
        <translation>Des personnes sont déjà enregistrées dans cet espace de travail. Terminez, puis connectez-vous depuis la fenêtre.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="375"/>
        <source>Add yourself. You will sign in with this name and PIN.</source>
        <translation>Ajoutez-vous. Vous vous connecterez avec ce nom et ce code PIN.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="416"/>
        <source>Set up fieldcast</source>
        <translation>Mettre en place fieldcast</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="425"/>
        <source>&amp;Next &gt;</source>
        <translation>&amp;Suivant &gt;</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="426"/>
        <source>&lt; &amp;Back</source>
        <translation>&lt; &amp;Précédent</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/first_run.py" line="427"/>
        <source>&amp;Finish</source>
        <translation>&amp;Terminer</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="148"/>
        <source>No column mapping: put one beside it as {name}, or name the file after its source.</source>
        <translation>Pas de correspondance de colonnes : placez-en une à côté, nommée {name}, ou nommez le fichier d&apos;après sa source.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="186"/>
        <source>Not imported: cancelled.</source>
        <translation>Non importé : annulé.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="191"/>
        <source>Checking {name}…</source>
        <translation>Vérification de {name}…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="202"/>
        <source>Done.</source>
        <translation>Terminé.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="223"/>
        <source>Imported bundle {id}, release {release}, valid until {until}.</source>
        <translation>Bundle {id} importé, version {release}, valable jusqu&apos;au {until}.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="225"/>
        <source>Bundle {id} (release {release}) was already on this device.</source>
        <translation>Le bundle {id} (version {release}) était déjà sur cet appareil.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="237"/>
        <source>It was not made active: {reason}</source>
        <translation>Il n&apos;a pas été activé : {reason}</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="243"/>
        <source>It is now the active bundle.</source>
        <translation>C&apos;est maintenant le bundle actif.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="251"/>
        <source>Nothing was imported.</source>
        <translation>Rien n&apos;a été importé.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="253"/>
        <source>ACCEPTED</source>
        <translation>ACCEPTÉ</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="254"/>
        <source>ALREADY HERE</source>
        <translation>DÉJÀ PRÉSENT</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="255"/>
        <source>REFUSED</source>
        <translation>REFUSÉ</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="256"/>
        <source>SKIPPED</source>
        <translation>IGNORÉ</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="268"/>
        <source>{accepted} accepted, {unchanged} already here, {refused} refused, {skipped} skipped.</source>
        <translation>{accepted} accepté(s), {unchanged} déjà présent(s), {refused} refusé(s), {skipped} ignoré(s).</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="303"/>
        <source>Import from a folder</source>
        <translation>Importer depuis un dossier</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="307"/>
        <source>Choose the folder of a data package or a model bundle, for example on a USB stick. Every file is checked before anything changes; a file that fails its checks changes nothing.</source>
        <translation>Choisissez le dossier d&apos;un paquet de données ou d&apos;un bundle de modèle, par exemple sur une clé USB. Chaque fichier est vérifié avant toute modification ; un fichier qui échoue aux vérifications ne change rien.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="316"/>
        <source>No folder chosen</source>
        <translation>Aucun dossier choisi</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="317"/>
        <source>Folder</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="318"/>
        <source>C&amp;hoose folder…</source>
        <translation>C&amp;hoisir un dossier…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="325"/>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="325"/>
        <source>What it is</source>
        <translation>De quoi il s&apos;agit</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="333"/>
        <source>Make an imported bundle &amp;active</source>
        <translation>&amp;Activer un bundle importé</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="338"/>
        <source>Import progress</source>
        <translation>Progression de l&apos;import</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="345"/>
        <source>What was imported</source>
        <translation>Ce qui a été importé</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="351"/>
        <source>&amp;Import</source>
        <translation>&amp;Importer</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="354"/>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="360"/>
        <location filename="../../desktop/dialogs/model_card.py" line="90"/>
        <location filename="../../desktop/dialogs/supervisor.py" line="182"/>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="379"/>
        <source>Sign in first: every import records who made it.</source>
        <translation>Connectez-vous d&apos;abord : chaque import enregistre qui l&apos;a fait.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="390"/>
        <source>Choose the folder to import from</source>
        <translation>Choisir le dossier à importer</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="401"/>
        <source>Looking in the folder…</source>
        <translation>Recherche dans le dossier…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="425"/>
        <source>Nothing to import here: no data files (CSV or Parquet) and no model bundles (a folder with manifest.json, or an archive).</source>
        <translation>Rien à importer ici : aucun fichier de données (CSV ou Parquet) et aucun bundle de modèle (un dossier contenant manifest.json, ou une archive).</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="432"/>
        <source>Found {n} item(s); {usable} can be imported.</source>
        <translation>{n} élément(s) trouvé(s) ; {usable} peuvent être importés.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="498"/>
        <source>Stopping after the current file…</source>
        <translation>Arrêt après le fichier en cours…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="510"/>
        <source>Finished. Here is what happened:</source>
        <translation>Terminé. Voici ce qui s&apos;est passé :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="523"/>
        <source>Stopped. Files taken before you stopped are kept; the rest were not imported. Open History to see which.</source>
        <translation>Arrêté. Les fichiers pris avant l&apos;arrêt sont conservés ; les autres n&apos;ont pas été importés. Ouvrez l&apos;Historique pour voir lesquels.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="555"/>
        <source>Model bundle (folder)</source>
        <translation>Bundle de modèle (dossier)</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="556"/>
        <source>Model bundle (archive)</source>
        <translation>Bundle de modèle (archive)</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="559"/>
        <source>Data for source {source}, with the mapping {mapping}</source>
        <translation>Données de la source {source}, avec la correspondance {mapping}</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/import_folder.py" line="563"/>
        <source>Data for source {source}, with the kept mapping</source>
        <translation>Données de la source {source}, avec la correspondance fournie</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/model_card.py" line="81"/>
        <source>Model card: {name}</source>
        <translation>Fiche du modèle : {name}</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/model_card.py" line="108"/>
        <location filename="../../desktop/dialogs/model_card.py" line="196"/>
        <source>This bundle carries no model card.</source>
        <translation>Ce bundle ne contient pas de fiche du modèle.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/model_card.py" line="110"/>
        <source>Bundle {id}, release {release}; valid until {until}.</source>
        <translation>Bundle {id}, version {release} ; valable jusqu&apos;au {until}.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/model_card.py" line="153"/>
        <source>Links are not opened from here. The address was copied, so you can open it yourself if you trust it: {url}</source>
        <translation>Les liens ne sont pas ouverts d&apos;ici. L&apos;adresse a été copiée : vous pouvez l&apos;ouvrir vous-même si vous lui faites confiance : {url}</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="70"/>
        <source>Local knowledge of events</source>
        <translation>Connaissance locale des événements</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="71"/>
        <source>Data error</source>
        <translation>Erreur dans les données</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="72"/>
        <source>Known model weakness</source>
        <translation>Faiblesse connue du modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="73"/>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="107"/>
        <source>Override a forecast</source>
        <translation>Corriger une prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="133"/>
        <source>Record override</source>
        <translation>Enregistrer la correction</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="150"/>
        <source>The model&apos;s forecast</source>
        <translation>La prévision du modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="157"/>
        <source>Most likely:</source>
        <translation>Le plus probable :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="158"/>
        <source>50% interval:</source>
        <translation>Intervalle à 50 % :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="159"/>
        <source>90% interval:</source>
        <translation>Intervalle à 90 % :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="160"/>
        <source>Chance of any fatality:</source>
        <translation>Probabilité d&apos;au moins un décès :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="179"/>
        <source>Your forecast</source>
        <translation>Votre prévision</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="182"/>
        <source>Your value</source>
        <translation>Votre valeur</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="186"/>
        <source>&amp;Value (fatalities):</source>
        <translation>&amp;Valeur (décès) :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="190"/>
        <source>Give a &amp;range</source>
        <translation>Donner un &amp;intervalle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="192"/>
        <source>Low end of your range</source>
        <translation>Borne basse de votre intervalle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="194"/>
        <source>High end of your range</source>
        <translation>Borne haute de votre intervalle</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="197"/>
        <source>from</source>
        <translation>de</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="199"/>
        <source>to</source>
        <translation>à</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="220"/>
        <source>Why</source>
        <translation>Pourquoi</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="237"/>
        <source>What do you know that the model does not? For example: the armed group left the district last week; the fighting in the March data was counted twice.</source>
        <translation>Que savez-vous que le modèle ignore ? Par exemple : le groupe armé a quitté le district la semaine dernière ; les combats des données de mars ont été comptés deux fois.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="242"/>
        <source>Explanation</source>
        <translation>Explication</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="249"/>
        <source>&amp;Explanation (required):</source>
        <translation>&amp;Explication (obligatoire) :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="280"/>
        <source>Your estimate for {unit}, {target} ({ahead})</source>
        <translation>Votre estimation pour {unit}, {target} ({ahead})</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="288"/>
        <source>No forecast to replace</source>
        <translation>Aucune prévision à remplacer</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="289"/>
        <source>Your estimate</source>
        <translation>Votre estimation</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="293"/>
        <source>The checks blocked this forecast, so there is no number to replace:
{reasons}

You may still record your own estimate. It is kept as a field estimate, apart from model forecasts.</source>
        <translation>Les vérifications ont bloqué cette prévision ; il n&apos;y a donc pas de chiffre à remplacer :
{reasons}

Vous pouvez tout de même enregistrer votre propre estimation. Elle est conservée comme estimation de terrain, à part des prévisions du modèle.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="297"/>
        <source>(no reason was stored)</source>
        <translation>(aucune raison n&apos;a été enregistrée)</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="302"/>
        <source>Override the forecast for {unit}, {target} ({ahead})</source>
        <translation>Corriger la prévision pour {unit}, {target} ({ahead})</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="326"/>
        <source>{low} to {high}</source>
        <translation>{low} à {high}</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="332"/>
        <location filename="../../desktop/dialogs/override.py" line="373"/>
        <source>Loading the forecast…</source>
        <translation>Chargement de la prévision…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="339"/>
        <source>Recorded with your override: your name ({name}), your role ({role}), the time, your reason and text, the forecast shown above, and where it came from: run {run} of model bundle {bundle} (digest {digest}), input data digest {inputs}, forecast made from {origin}. Once recorded, an override cannot be edited or deleted.</source>
        <translation>Enregistré avec votre correction : votre nom ({name}), votre rôle ({role}), l&apos;heure, votre raison et votre texte, la prévision affichée ci-dessus et sa provenance : prévision {run} du bundle de modèle {bundle} (empreinte {digest}), empreinte des données d&apos;entrée {inputs}, prévision établie à partir de {origin}. Une fois enregistrée, une correction ne peut être ni modifiée ni supprimée.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="382"/>
        <source>Keep the explanation under {n} characters.</source>
        <translation>Limitez l&apos;explication à moins de {n} caractères.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="400"/>
        <source>{typed} characters (at least {n})</source>
        <translation>{typed} caractères (au moins {n})</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="440"/>
        <source>Recording…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="484"/>
        <source>1 month ahead</source>
        <translation>dans 1 mois</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="485"/>
        <source>{h} months ahead</source>
        <translation>dans {h} mois</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="489"/>
        <source>supervisor</source>
        <translation>superviseur</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/override.py" line="489"/>
        <source>field staff</source>
        <translation>personnel de terrain</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="110"/>
        <source>Checking…</source>
        <translation>Vérification…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="138"/>
        <location filename="../../desktop/dialogs/sign_in.py" line="161"/>
        <source>Sign in</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="142"/>
        <source>Sign in so that what you record on this device carries your name.</source>
        <translation>Connectez-vous pour que ce que vous enregistrez sur cet appareil porte votre nom.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="152"/>
        <source>Your name</source>
        <translation>Votre nom</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="154"/>
        <source>Your PIN</source>
        <translation>Votre code PIN</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="157"/>
        <location filename="../../desktop/dialogs/sign_in.py" line="288"/>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="158"/>
        <location filename="../../desktop/dialogs/sign_in.py" line="290"/>
        <source>&amp;PIN:</source>
        <translation>Code &amp;PIN :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="246"/>
        <source>Add the first person</source>
        <translation>Ajouter la première personne</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="246"/>
        <source>Add a person</source>
        <translation>Ajouter une personne</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="251"/>
        <source>Nobody can sign in on this device yet. The first person is its supervisor: they can add others, set a kill-switch on a model and roll back to the previous one.</source>
        <translation>Personne ne peut encore se connecter sur cet appareil. La première personne en est le superviseur : elle peut ajouter d&apos;autres personnes, activer un arrêt d&apos;urgence sur un modèle et revenir au précédent.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="257"/>
        <source>Add someone who works on this device. Field staff read and override forecasts; a supervisor can also stop or roll back a model.</source>
        <translation>Ajoutez une personne qui travaille sur cet appareil. Le personnel de terrain lit et corrige les prévisions ; un superviseur peut aussi arrêter un modèle ou revenir au précédent.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="265"/>
        <source>Full name</source>
        <translation>Nom complet</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="267"/>
        <source>Field staff</source>
        <translation>Personnel de terrain</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="268"/>
        <source>Supervisor</source>
        <translation>Superviseur</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="276"/>
        <source>{min} to {max} digits. Not a repeated digit or a run like 1234. The PIN is stored only as a salted hash: nobody can read it back, so remember it.</source>
        <translation>De {min} à {max} chiffres. Pas de chiffre répété ni de suite comme 1234. Le code PIN n&apos;est conservé que sous forme de hachage salé : personne ne peut le relire, alors retenez-le.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="289"/>
        <source>&amp;Role:</source>
        <translation>&amp;Rôle :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="291"/>
        <source>PIN &amp;again:</source>
        <translation>Code PIN (&amp;encore) :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="295"/>
        <source>Add person</source>
        <translation>Ajouter la personne</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="325"/>
        <source>Enter the person&apos;s name.</source>
        <translation>Saisissez le nom de la personne.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/sign_in.py" line="332"/>
        <source>The two PINs differ.</source>
        <translation>Les deux codes PIN diffèrent.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="125"/>
        <source>Stop a model at once with a kill-switch (its forecasts are then blocked on this device), lift a kill-switch set here, or go back to the model that was active before. Each action is recorded with your name and reason.</source>
        <translation>Arrêtez immédiatement un modèle par un arrêt d&apos;urgence (ses prévisions sont alors bloquées sur cet appareil), levez un arrêt d&apos;urgence posé ici, ou revenez au modèle actif auparavant. Chaque action est enregistrée avec votre nom et votre raison.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="137"/>
        <source>Release</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="137"/>
        <source>Valid until</source>
        <translation>Valable jusqu&apos;au</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="137"/>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="152"/>
        <source>Why? For example: the forecasts for the north are clearly wrong.</source>
        <translation>Pourquoi ? Par exemple : les prévisions pour le nord sont manifestement fausses.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="155"/>
        <source>Set &amp;kill-switch</source>
        <translation>Activer l&apos;&amp;arrêt d&apos;urgence</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="156"/>
        <source>&amp;Lift kill-switch</source>
        <translation>&amp;Lever l&apos;arrêt d&apos;urgence</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="157"/>
        <source>&amp;Roll back</source>
        <translation>&amp;Revenir au précédent</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="164"/>
        <source>Act</source>
        <translation>Agir</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="166"/>
        <location filename="../../desktop/dialogs/supervisor.py" line="177"/>
        <source>&amp;Reason:</source>
        <translation>&amp;Raison :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="171"/>
        <source>Selected bundle:</source>
        <translation>Bundle choisi :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="175"/>
        <source>Active bundle:</source>
        <translation>Bundle actif :</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="207"/>
        <source>Sign in as a supervisor to use these controls.</source>
        <translation>Connectez-vous en tant que superviseur pour utiliser ces contrôles.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="209"/>
        <source>Only a supervisor can set a kill-switch or roll back. You are signed in as {name} (field staff); ask your supervisor.</source>
        <translation>Seul un superviseur peut activer un arrêt d&apos;urgence ou revenir au précédent. Vous êtes connecté en tant que {name} (personnel de terrain) ; demandez à votre superviseur.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="244"/>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="246"/>
        <source>There is no earlier bundle to go back to.</source>
        <translation>Il n&apos;y a pas de bundle antérieur auquel revenir.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="249"/>
        <source>Go back from {current} to {previous}.</source>
        <translation>Revenir de {current} à {previous}.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="255"/>
        <location filename="../../desktop/dialogs/supervisor.py" line="344"/>
        <source>Give a reason of at least {n} characters.</source>
        <translation>Donnez une raison d&apos;au moins {n} caractères.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="273"/>
        <source>Withdrawn: {reason}</source>
        <translation>Retiré : {reason}</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="275"/>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="277"/>
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="300"/>
        <source>Kill-switch set on {bundle}; its forecasts are blocked.</source>
        <translation>Arrêt d&apos;urgence activé sur {bundle} ; ses prévisions sont bloquées.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="303"/>
        <source>set a kill-switch</source>
        <translation>activer un arrêt d&apos;urgence</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="317"/>
        <source>Kill-switch lifted on {bundle}.</source>
        <translation>Arrêt d&apos;urgence levé sur {bundle}.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="318"/>
        <source>lift a kill-switch</source>
        <translation>lever un arrêt d&apos;urgence</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="328"/>
        <source>Rolled back to {bundle}.</source>
        <translation>Retour à {bundle}.</translation>
    </message>
    <message>
        <location filename="../../desktop/dialogs/supervisor.py" line="329"/>
        <source>roll back</source>
        <translation>revenir au précédent</translation>
    </message>
</context>
<context>
    <name>UnitView</name>
    <message>
        <location filename="../../desktop/unit_view.py" line="221"/>
        <source>%n month(s) ahead</source>
        <translation>dans %n mois</translation>
    </message>
</context>
</TS>
