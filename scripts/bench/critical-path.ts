// The deploy critical path: the longest chain of resources that each wait for the one before. Every
// custom resource (including reads of existing objects) counts one step; components cost nothing but
// pass their own dependencies on to their children, which cannot register before the component does.

/** What the analysis needs of a registered resource. */
export interface GraphNode {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    dependencies: readonly string[];
    propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

export interface CriticalPath {
    length: number;
    /** The chain, first resource first, as `type name`. */
    chain: string[];
}

export function criticalPath(nodes: readonly GraphNode[]): CriticalPath {
    const byUrn = new Map(nodes.map((node) => [node.urn, node]));
    const direct = (node: GraphNode) => [...node.dependencies, ...Object.values(node.propertyDependencies).flat()];
    const waitsFor = (node: GraphNode): string[] => {
        const urns = new Set<string>();
        for (let current: GraphNode | undefined = node; current; current = byUrn.get(current.parent)) {
            direct(current).forEach((urn) => urns.add(urn));
        }
        urns.delete(node.urn);
        return [...urns].filter((urn) => byUrn.has(urn));
    };
    const memo = new Map<string, CriticalPath>();
    const visiting = new Set<string>();
    const pathTo = (node: GraphNode): CriticalPath => {
        const known = memo.get(node.urn);
        if (known) {
            return known;
        }
        if (visiting.has(node.urn)) {
            throw new Error(`dependency cycle through ${node.type} ${node.name}`);
        }
        visiting.add(node.urn);
        let longest: CriticalPath = { length: 0, chain: [] };
        for (const urn of waitsFor(node)) {
            const candidate = pathTo(byUrn.get(urn)!);
            if (candidate.length > longest.length) {
                longest = candidate;
            }
        }
        visiting.delete(node.urn);
        const result = node.custom
            ? { length: longest.length + 1, chain: [...longest.chain, `${node.type} ${node.name}`] }
            : longest;
        memo.set(node.urn, result);
        return result;
    };
    return nodes.map(pathTo).reduce((best, path) => (path.length > best.length ? path : best), { length: 0, chain: [] });
}
