/** French names of event and alarm types, for alarm titles and reports. */
export const TYPE_LABELS: Record<string, string> = {
  motion: 'Mouvement détecté',
  tamper: 'Sabotage de caméra',
  line_crossing: 'Franchissement de ligne',
  field_intrusion: 'Intrusion dans une zone',
  door_forced_open: 'Porte forcée',
  door_held_open: 'Porte maintenue ouverte',
  access_denied: 'Accès refusé',
  unknown_credential: 'Badge inconnu',
  anti_passback_violation: 'Violation d’anti-retour',
  duress: 'Code sous contrainte',
  reader_tamper: 'Sabotage de lecteur',
  object_detected: 'Détection vidéo (Frigate)',
  review_alert: 'Alerte vidéo (Frigate)',
  review_detection: 'Détection vidéo à revoir (Frigate)',
  intrusion: 'Intrusion',
  access_denied_burst: 'Refus d’accès répétés',
};

export const typeLabel = (type: string) => TYPE_LABELS[type] ?? type;
