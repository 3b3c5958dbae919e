import 'leaflet/dist/leaflet.css';
import { useEffect, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { GeoJSON, MapContainer, TileLayer, ZoomControl, useMap } from 'react-leaflet';
import { geoJSON, type LatLngBoundsExpression, type LatLngExpression } from 'leaflet';
import { api } from '../../app/api';

/** Yvelines and Hauts-de-Seine. */
export const TERRITORY_BOUNDS: LatLngBoundsExpression = [
  [48.43, 1.44],
  [49.09, 2.34],
];

interface ConsoleConfig {
  tileUrl: string | null;
  tileAttribution: string | null;
}

export function useConsoleConfig() {
  return useQuery({ queryKey: ['console-config'], queryFn: () => api<ConsoleConfig>('/api/console-config'), staleTime: Infinity });
}

/**
 * A Leaflet map with the configured background (TILE_URL) or none: vector layers are enough to work, so
 * the map also works offline and in tests. French labels on the zoom buttons.
 */
export function BaseMap({ label, height, center, zoom, children }: { label: string; height: number | string; center?: LatLngExpression; zoom?: number; children: ReactNode }) {
  const { data: config } = useConsoleConfig();
  return (
    <div role="region" aria-label={label}>
      <MapContainer
        {...(center ? { center, zoom: zoom ?? 14 } : { bounds: TERRITORY_BOUNDS })}
        style={{ height, width: '100%', background: '#f1f3f5', borderRadius: 6 }}
        zoomSnap={0.25}
        // Without tiles Leaflet knows no zoom limit; clustering layers need one.
        maxZoom={19}
        zoomControl={false}
        attributionControl
      >
        <ZoomControl position="topleft" zoomInTitle="Zoom avant" zoomOutTitle="Zoom arrière" />
        {config?.tileUrl && <TileLayer url={config.tileUrl} attribution={config.tileAttribution ?? ''} maxZoom={19} />}
        {children}
      </MapContainer>
    </div>
  );
}

/** Zooms the map to a geometry once it is shown. */
export function FitTo({ geometry }: { geometry: GeoJSON.Geometry }) {
  const map = useMap();
  useEffect(() => {
    map.fitBounds(geoJSON(geometry).getBounds(), { padding: [12, 12] });
  }, [map, geometry]);
  return null;
}

/** The communes' outlines as a backdrop to find one's way when no tiles are configured; clicks go through. */
export function CommuneOutlines() {
  const { data, dataUpdatedAt } = useQuery({
    queryKey: ['communes-geojson'],
    queryFn: () => api<GeoJSON.FeatureCollection>('/api/communes.geojson'),
    staleTime: 5 * 60_000,
  });
  if (!data) return null;
  return <GeoJSON key={dataUpdatedAt} data={data} interactive={false} style={{ color: '#868e96', weight: 1, fill: false }} />;
}
