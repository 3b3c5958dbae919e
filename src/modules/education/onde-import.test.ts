import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { CsvFileRefused, decodeText, parseDate } from './csv-files.js';
import { looksLikeIne, parseLevel, readOndeExtraction } from './onde-import.js';

describe('ONDE files', () => {
  it('detects UTF-8 (with or without BOM) and ISO-8859-1, and refuses UTF-16 and mixed files', () => {
    expect(decodeText('f', Buffer.from('Prénom;Élise')).encoding).toBe('utf-8');
    expect(decodeText('f', Buffer.from('\ufeffPrénom')).text).toBe('Prénom');
    expect(decodeText('f', iconv.encode('Prénom;Œuvre', 'win1252'))).toEqual({ text: 'Prénom;Œuvre', encoding: 'iso-8859-1' });
    expect(() => decodeText('f', Buffer.from('Prénom', 'utf16le'))).toThrow(CsvFileRefused);
    expect(() => decodeText('f', Buffer.concat([Buffer.from('é'), Buffer.from('é', 'latin1')]))).toThrow(/mêle/);
  });

  it('recognises INE-like identifiers and levels as ONDE writes them', () => {
    expect(looksLikeIne('1234567890A')).toBe(true);
    expect(looksLikeIne('123456789AB')).toBe(true);
    expect(looksLikeIne('JF26-001')).toBe(false);
    expect(parseLevel('cm2')).toBe('CM2');
    expect(parseLevel('6ème')).toBe('6e');
    expect(parseLevel('GS')).toBeUndefined();
    expect(parseDate('29/02/2024')).toBe('2024-02-29');
    expect(parseDate('29/02/2025')).toBeNull();
  });

  it('keeps only the initial of the last name and counts guardians', () => {
    const out = readOndeExtraction({
      pupils: Buffer.from('Identifiant élève;Prénom;Nom;Niveau;Classe\nA-1;Zoé;martin;CP;CP A\n'),
      guardians: Buffer.from('Identifiant élève;Lien\nA-1;Mère\nA-1;Père\n'),
    });
    expect(out.pupils).toEqual([{ schoolRef: 'A-1', firstName: 'Zoé', lastInitial: 'M', level: 'CP', className: 'CP A', guardians: 2 }]);
  });

  it('refuses a file with an INE column or a comma separator', () => {
    expect(() => readOndeExtraction({ pupils: Buffer.from('Identifiant élève;Prénom;Nom;Niveau;Classe;N° INE\n') })).toThrow(/INE/);
    expect(() => readOndeExtraction({ pupils: Buffer.from('Identifiant élève,Prénom,Nom,Niveau,Classe\n') })).toThrow(/séparateur attendu/);
  });
});
