// Every Helm chart the program installs, with the version its key list was read from. A release of a
// chart that is not listed here, or at another version, fails validation: add the chart's keys first.
import { istioChartRepository } from "../../components/versions";
import { chartKeysVersion, istioChartKeys } from "./istio-chart-keys";
import { enrouteChartRepository, kialiChartRepository } from "../../components/versions";
import { enrouteChartKeys, enrouteChartKeysVersion } from "./enroute-chart-keys";
import { kialiChartKeys, kialiChartKeysVersion } from "./kiali-chart-keys";

export interface ChartKeyList {
    repo: string;
    chart: string;
    version: string;
    keys: readonly string[];
}

export const chartKeys: ChartKeyList[] = [
    { repo: istioChartRepository, chart: "base", version: chartKeysVersion, keys: istioChartKeys.base },
    { repo: istioChartRepository, chart: "istiod", version: chartKeysVersion, keys: istioChartKeys.istiod },
    { repo: istioChartRepository, chart: "gateway", version: chartKeysVersion, keys: istioChartKeys.gateway },
    { repo: kialiChartRepository, chart: "kiali-server", version: kialiChartKeysVersion, keys: kialiChartKeys },
    { repo: enrouteChartRepository, chart: "enroute", version: enrouteChartKeysVersion, keys: enrouteChartKeys },
];
