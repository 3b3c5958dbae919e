import { useEffect, useMemo, useState } from 'react';
import { useMap } from 'react-leaflet';
import L from 'leaflet';
import './leaflet-global';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import { Text } from '@mantine/core';
import { api } from '../../../app/api';
import { T } from '../strings';
import type { Progress } from '../types';

/** Buildings are shown from this zoom on, for the communes in view; below it the communes' colours suffice. */
export const BUILDINGS_ZOOM = 13;
const MAX_COMMUNES = 6;

type BuildingFeature = GeoJSON.Feature<GeoJSON.Point, { id: string; state: string; dwellings: number; operator: string }>;

const STATE_COLOUR: Record<string, string> = { DE: '#216e33', EC: '#e8590c', SI: '#1864ab', CI: '#495057', AB: '#c92a2a' };

/**
 * The buildings of the communes in view, clustered, once the map is zoomed in close enough; each commune's
 * buildings are fetched once.
 */
export function BuildingPoints({ communes }: { communes: GeoJSON.FeatureCollection<GeoJSON.Geometry, Progress> }) {
  const map = useMap();
  const [status, setStatus] = useState<'far' | 'shown' | 'too-many'>('far');
  const bounds = useMemo(
    () => communes.features.filter((f) => f.properties.dwellings > 0).map((f) => ({ insee: f.properties.insee, bounds: L.geoJSON(f).getBounds() })),
    [communes],
  );

  useEffect(() => {
    const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    const loaded = new Map<string, Promise<L.Layer[]>>();
    const load = (insee: string) => {
      let layers = loaded.get(insee);
      if (!layers) {
        layers = api<GeoJSON.FeatureCollection<GeoJSON.Point, BuildingFeature['properties']>>(`/api/fibre/communes/${insee}/buildings`).then((fc) =>
          fc.features.map((f) =>
            L.circleMarker([f.geometry.coordinates[1]!, f.geometry.coordinates[0]!], {
              radius: 6,
              color: '#fff',
              weight: 1,
              fillColor: STATE_COLOUR[f.properties.state] ?? '#495057',
              fillOpacity: 0.9,
            }).bindTooltip(T.map.building(f.properties.id, T.states[f.properties.state] ?? f.properties.state, f.properties.dwellings)),
          ),
        );
        loaded.set(insee, layers);
      }
      return layers;
    };
    let generation = 0;
    const refresh = async () => {
      const current = ++generation;
      if (map.getZoom() < BUILDINGS_ZOOM) {
        cluster.clearLayers();
        setStatus('far');
        return;
      }
      const view = map.getBounds();
      const inView = bounds.filter((c) => view.intersects(c.bounds));
      const layers = (await Promise.all(inView.slice(0, MAX_COMMUNES).map((c) => load(c.insee)))).flat();
      if (current !== generation) return;
      cluster.clearLayers();
      cluster.addLayers(layers);
      setStatus(inView.length > MAX_COMMUNES ? 'too-many' : 'shown');
    };
    cluster.addTo(map);
    map.on('moveend', refresh);
    void refresh();
    return () => {
      map.off('moveend', refresh);
      cluster.remove();
    };
  }, [map, bounds]);

  return (
    <Text size="sm" className="map-hint" data-buildings={status} style={{ position: 'absolute', bottom: 4, left: 8, zIndex: 500, background: 'rgba(255,255,255,0.9)', padding: '0 4px' }} aria-live="polite">
      {status === 'far' ? T.map.zoomForBuildings : status === 'too-many' ? T.map.buildingsPartial(MAX_COMMUNES) : T.map.buildingsShown}
    </Text>
  );
}
