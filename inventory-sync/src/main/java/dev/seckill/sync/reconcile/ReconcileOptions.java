package dev.seckill.sync.reconcile;

import java.util.List;
import java.util.function.Consumer;

/**
 * @param skus     only these SKUs (and the reservations with a line of them); empty for everything
 * @param repair   what to fix
 * @param progress receives a line now and then on long runs (null for none)
 */
public record ReconcileOptions(List<String> skus, RepairMode repair, Consumer<String> progress) {
    public ReconcileOptions {
        skus = List.copyOf(skus);
        if (repair == null) {
            repair = RepairMode.NONE;
        }
    }

    public static ReconcileOptions all() {
        return new ReconcileOptions(List.of(), RepairMode.NONE, null);
    }

    public ReconcileOptions withRepair(RepairMode mode) {
        return new ReconcileOptions(skus, mode, progress);
    }

    public ReconcileOptions withSkus(List<String> only) {
        return new ReconcileOptions(only, repair, progress);
    }

    public ReconcileOptions withProgress(Consumer<String> p) {
        return new ReconcileOptions(skus, repair, p);
    }
}
