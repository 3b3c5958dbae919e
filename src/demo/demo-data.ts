import type { Role } from '../platform/auth/policy.js';
import type { SiteKind } from '../modules/territory/index.js';

/** One password for every demo account; documented in the README, refused in production. */
export const DEMO_PASSWORD = 'Mutualis-Demo-2026!';

export interface DemoUser {
  email: string;
  displayName: string;
  role: Role;
  memberId: string;
}

export const DEMO_USERS: DemoUser[] = [
  { email: 'admin@mutualis.demo', displayName: 'Claire Admin (syndicat)', role: 'smo_admin', memberId: 'smo' },
  { email: 'acheteur@mutualis.demo', displayName: 'Marc Acheteur (syndicat)', role: 'smo_agent', memberId: 'smo' },
  { email: 'admin.clamart@mutualis.demo', displayName: 'Sophie Martin (Clamart)', role: 'member_admin', memberId: 'com-92023' },
  { email: 'agent.versailles@mutualis.demo', displayName: 'Julien Petit (Versailles)', role: 'member_agent', memberId: 'com-78646' },
  { email: 'admin.vgp@mutualis.demo', displayName: 'Nadia Benali (Versailles Grand Parc)', role: 'member_admin', memberId: 'epci-247800584' },
  { email: 'operateur@mutualis.demo', displayName: 'Karim Operateur (supervision)', role: 'operator', memberId: 'smo' },
  { email: 'superviseur@mutualis.demo', displayName: 'Anne Superviseur (supervision)', role: 'supervisor', memberId: 'smo' },
  { email: 'opj@mutualis.demo', displayName: 'Capitaine Leroy (OPJ)', role: 'police_officer', memberId: 'smo' },
  { email: 'ecole.clamart@mutualis.demo', displayName: 'Paul Directeur (école de Clamart)', role: 'school_staff', memberId: 'com-92023' },
  { email: 'technicien@mutualis.demo', displayName: 'Luc Technicien', role: 'technician', memberId: 'smo' },
  { email: 'auditeur@mutualis.demo', displayName: 'Hélène Auditrice', role: 'auditor', memberId: 'smo' },
];

export interface DemoSite {
  kind: SiteKind;
  name: string;
  uai?: string;
  address: string;
  longitude: number;
  latitude: number;
  memberId: string;
}

export const DEMO_SITES: DemoSite[] = [
  { kind: 'school', name: 'École élémentaire Jules Ferry', uai: '0921234S', address: '12 rue de la Mairie, 92140 Clamart', longitude: 2.2667, latitude: 48.8003, memberId: 'com-92023' },
  { kind: 'school', name: 'École élémentaire du Petit Clamart', uai: '0921235T', address: '5 avenue Jean Jaurès, 92140 Clamart', longitude: 2.2489, latitude: 48.7876, memberId: 'com-92023' },
  { kind: 'school', name: 'Collège Jean Racine', uai: '0781500G', address: '20 rue Jean Racine, 78000 Versailles', longitude: 2.1372, latitude: 48.8098, memberId: 'dep-78' },
  { kind: 'school', name: 'École maternelle des Tilleuls', uai: '0783100W', address: '3 rue des Tilleuls, 78120 Rambouillet', longitude: 1.8297, latitude: 48.6436, memberId: 'com-78517' },
  { kind: 'public_building', name: 'Hôtel de ville de Versailles', address: '4 avenue de Paris, 78000 Versailles', longitude: 2.1296, latitude: 48.8014, memberId: 'com-78646' },
  { kind: 'public_building', name: 'Hôtel du Département des Yvelines', address: '2 place André Mignot, 78000 Versailles', longitude: 2.1303, latitude: 48.8036, memberId: 'dep-78' },
  { kind: 'public_building', name: 'Hôtel du Département des Hauts-de-Seine', address: '57 rue des Longues Raies, 92000 Nanterre', longitude: 2.2207, latitude: 48.8953, memberId: 'dep-92' },
  { kind: 'public_building', name: 'Mairie de Clamart', address: '1 place Maurice Gunsbourg, 92140 Clamart', longitude: 2.2654, latitude: 48.8006, memberId: 'com-92023' },
  { kind: 'car_park', name: 'Parking de la gare de Rambouillet', address: 'Place Prud’homme, 78120 Rambouillet', longitude: 1.8321, latitude: 48.6444, memberId: 'com-78517' },
  { kind: 'car_park', name: 'Parking de la place des Halles', address: 'Place des Halles, 78550 Houdan', longitude: 1.6006, latitude: 48.7906, memberId: 'com-78310' },
  { kind: 'car_park', name: 'Parking du Mail', address: 'Rue du Mail, 78490 Montfort-l’Amaury', longitude: 1.8097, latitude: 48.7776, memberId: 'com-78420' },
  { kind: 'car_park', name: 'Parking de la Mairie', address: 'Place de l’Église, 78460 Chevreuse', longitude: 2.0385, latitude: 48.7066, memberId: 'com-78160' },
  { kind: 'other', name: 'Centre de supervision du syndicat', address: '2 place André Mignot, 78000 Versailles', longitude: 2.1310, latitude: 48.8040, memberId: 'smo' },
];
